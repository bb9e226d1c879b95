"""Risk and treatment cards in Chinese: fixed words and headings translated, the models' and
guidelines' English texts marked lang="en"."""

from __future__ import annotations

from functools import partial

from medlm.explain.contributions import Contribution
from medlm.risk import RiskScore
from medlm.risk.population import PopulationStatus
from medlm.risk.result import RiskTier
from medlm.treatment import TreatmentReport
from medlm.web import i18n
from medlm.web.components.cards import risk_card, treatment_cards

ZH = partial(i18n.gettext, "zh_CN")


def _score() -> RiskScore:
    return RiskScore(
        patient_id="p1",
        probability=0.42,
        tier=RiskTier.HIGH,
        outcome="diabetes",
        model_name="pima-logistic",
        model_version="1",
        family="logistic",
        population=PopulationStatus(status="inside", population="Pima women aged 21+"),
        reasons=[
            Contribution(feature="glucose", contribution=0.9, text="glucose 160 raises the risk"),
            Contribution(feature="age", contribution=-0.3, text="age 25 lowers the risk"),
        ],
    )


def test_zh_cn_risk_card_translates_fixed_words_and_marks_model_text_english() -> None:
    html = str(risk_card(_score(), label=ZH))
    assert "高风险" in html and "升高" in html and "降低" in html
    assert '<span lang="en">glucose 160 raises the risk</span>' in html
    assert '<h3><span lang="en">diabetes</span>' in html
    assert '<span lang="en">Pima women aged 21+</span>' in html


def test_zh_cn_card_for_checks_that_could_not_run_has_a_chinese_heading() -> None:
    report = TreatmentReport(patient_id="p1", missing=["eGFR unreadable"], knowledge_version="1")
    (card,) = [str(c) for c in treatment_cards(report, label=ZH)]
    assert "<h3>无法运行的检查（数据缺失或无法读取）：1</h3>" in card
    assert '<div class="detail" lang="en">' in card and "eGFR unreadable" in card
