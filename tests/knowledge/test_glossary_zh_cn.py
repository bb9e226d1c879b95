"""The zh-CN clinical glossary: loads, is cited honestly, and catches inconsistent renderings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from medlm.errors import ConfigError
from medlm.knowledge.glossary import Glossary, load_glossary

GLOSSARY_FILE = (
    Path(__file__).parents[2] / "src" / "medlm" / "knowledge" / "glossary" / "zh_cn.yaml"
)


def test_glossary_loads_with_risk_tier_labels_exactly_as_required() -> None:
    glossary = load_glossary("zh_CN")
    assert glossary.lookup("high risk") == "高风险"
    assert glossary.lookup("medium risk") == "中风险"
    assert glossary.lookup("low risk") == "低风险"


def test_news2_renders_with_the_term_used_in_chinese_literature() -> None:
    assert load_glossary().lookup("National Early Warning Score 2") == "国家早期预警评分2"


def test_every_cited_source_is_described_in_the_file_header() -> None:
    text = GLOSSARY_FILE.read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for entry in load_glossary().terms:
        if entry.cite is not None:
            assert re.search(rf"^#\s+{re.escape(entry.cite.source)}\s", header, re.M), entry.term


def test_no_glossary_rendering_is_marked_verified_without_a_checked_source() -> None:
    # medlm has not read the standards (CNTERM) or the journal articles: nothing may claim V.
    assert all(e.cite is None or e.cite.verification != "V" for e in load_glossary().terms)


def test_unknown_term_lookup_names_the_term() -> None:
    with pytest.raises(KeyError, match="tachycardia"):
        load_glossary().lookup("tachycardia")


def test_unknown_locale_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="fr_FR"):
        load_glossary("fr_FR")


def test_duplicate_term_is_refused() -> None:
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    raw["terms"].append({"term": "Heart Rate", "zh": "心跳"})
    with pytest.raises(ValueError, match="appears twice"):
        Glossary.model_validate(raw)


def test_rendering_without_chinese_characters_is_refused() -> None:
    raw = {"version": "x", "locale": "zh_CN", "terms": [{"term": "heart rate", "zh": "HR"}]}
    with pytest.raises(ValueError, match="no Chinese character"):
        Glossary.model_validate(raw)


@pytest.mark.parametrize(
    ("msgid", "msgstr", "problem"),
    [
        ("High risk", "高危", "missing"),
        ("High risk", "高风险（高危）", "uses '高危'"),
        ("Sepsis screen", "败血症筛查", "missing"),
        ("NEWS2 aggregate score", "国家早期预警评分总分", "abbreviation dropped"),
        ("Heart rate", "心跳", "missing"),
        ("Hypoglycemia alerts", "低血糖提醒", "missing"),
    ],
)
def test_check_names_inconsistent_rendering(msgid: str, msgstr: str, problem: str) -> None:
    problems = load_glossary().check(msgid, msgstr)
    assert problem in [p.problem for p in problems]


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("High risk", "高风险"),
        ("NEWS2 aggregate score", "NEWS2 总分"),
        ("Hypoglycaemia", "低血糖"),
        ("Sign in", "登录"),
        ("Heartbeat", "心跳"),  # a longer word is not the term "heart rate"
    ],
)
def test_check_accepts_consistent_rendering(msgid: str, msgstr: str) -> None:
    assert load_glossary().check(msgid, msgstr) == []
