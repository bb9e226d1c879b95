"""The web app's message catalogues: every string the pages use is in both, and zh_CN translates
each one, consistently with the reviewed glossary (knowledge/glossary/zh_cn.yaml).

Messages are extracted with Babel from `src/medlm/web/**/*.py` (`_`, `N_`, `gettext(locale, ...)`,
`ngettext(locale, ...)`) and from the templates (`_()`, `gettext()`, `{% trans %}`) with Jinja2's
extractor, the same way `pybabel extract` would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from medlm.knowledge.glossary import load_glossary

WEB = Path(__file__).parents[2] / "src" / "medlm" / "web"
LOCALES = ("en", "zh_CN")

# Python keywords: web code translates through `i18n.gettext(locale, msgid)` (msgid second).
PY_KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": (2,),
    "ngettext": (2, 3),
}
TEMPLATE_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "trimmed": "true"}
# A msgstr may equal its msgid only for names and units that read the same in Chinese.
SAME_IN_CHINESE = {"medlm", "/min", "mm[Hg]", "mmHg", "°C", "%", "kPa", "L/min", "FiO2"}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdf]|\{\w*\}")


def _msgids_of(message: str | tuple[str, ...] | list[str]) -> Iterator[str]:
    if isinstance(message, str):
        yield message
    else:
        yield from (m for m in message if isinstance(m, str) and m)


def extracted() -> dict[str, set[str]]:
    """Every msgid the web app uses, with the files using it."""
    found: dict[str, set[str]] = {}
    sources: list[tuple[Path, object, dict[str, str]]] = [
        (path, "python", {}) for path in sorted(WEB.rglob("*.py"))
    ]
    sources += [(p, babel_extract, TEMPLATE_OPTIONS) for p in sorted(WEB.rglob("templates/**/*"))]
    for path, method, options in sources:
        if not path.is_file():
            continue
        keywords = PY_KEYWORDS if method == "python" else None
        with path.open("rb") as handle:
            rows = extract(
                method,  # type: ignore[arg-type]
                handle,
                keywords=keywords or {"_": None, "gettext": None, "ngettext": (1, 2)},
                options=options,
            )
            for _lineno, message, _comments, _context in rows:
                for msgid in _msgids_of(message):
                    found.setdefault(msgid, set()).add(str(path.relative_to(WEB)))
    return found


def catalogue(locale: str) -> Catalog:
    path = WEB.parent / "locales" / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        pytest.fail(f"catalogue {path} is missing")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _translated(message_string: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if isinstance(message_string, str):
        return [message_string]
    return list(message_string or [])


def test_extraction_finds_template_python_and_trans_block_strings(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('{{ _("Alpha") }} {% trans %}Beta {{ n }}{% endtrans %}', encoding="utf-8")
    code = tmp_path / "code.py"
    code.write_text('i18n.gettext(locale, "Gamma")\nN_("Delta")\n', encoding="utf-8")
    with page.open("rb") as handle:
        rows = list(extract(babel_extract, handle, options=TEMPLATE_OPTIONS))  # type: ignore[arg-type]
    with code.open("rb") as handle:
        rows += list(extract("python", handle, keywords=PY_KEYWORDS))
    assert {r[1] for r in rows} == {"Alpha", "Beta %(n)s", "Gamma", "Delta"}


def test_web_app_uses_translated_strings() -> None:
    assert "Sign in" in extracted()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_msgid_the_web_app_uses_is_in_the_catalogue(locale: str) -> None:
    known = {msgid for m in catalogue(locale) if m.id for msgid in _msgids_of(m.id)}
    missing = {m: sorted(files) for m, files in extracted().items() if m not in known}
    assert not missing, f"{locale}: msgids missing from the catalogue: {missing}"


def test_both_catalogues_hold_the_same_msgids() -> None:
    en, zh = ({m.id for m in catalogue(loc) if m.id} for loc in LOCALES)
    assert en ^ zh == set(), f"only in en: {en - zh}; only in zh_CN: {zh - en}"


def test_every_zh_cn_message_is_translated() -> None:
    abbreviations = {t.abbreviation for t in load_glossary("zh_CN").terms if t.abbreviation}
    untranslated = []
    for message in catalogue("zh_CN"):
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = _translated(message.string)
        english = msgid not in SAME_IN_CHINESE | abbreviations and msgid in strings
        if message.fuzzy or not strings or not all(strings) or english:
            untranslated.append(msgid)
    assert not untranslated, f"zh_CN: untranslated (empty, fuzzy or English): {untranslated}"


def test_zh_cn_translations_keep_every_placeholder() -> None:
    broken = []
    for message in catalogue("zh_CN"):
        ids = list(_msgids_of(message.id)) if message.id else []
        if not ids:
            continue
        wanted = sorted(_PLACEHOLDER.findall(ids[0]))
        broken += [
            ids[0]
            for s in _translated(message.string)
            if s and sorted(_PLACEHOLDER.findall(s)) != wanted
        ]
    assert not broken, f"zh_CN: placeholders differ from the msgid: {broken}"


def test_zh_cn_catalogue_renders_clinical_terms_as_the_glossary_says() -> None:
    glossary = load_glossary("zh_CN")
    problems = {}
    for message in catalogue("zh_CN"):
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for msgstr in _translated(message.string):
            found = glossary.check(msgid, msgstr)
            if found:
                problems[msgid] = [f"{p.term}: {p.problem}, expected {p.expected}" for p in found]
    assert not problems, f"zh_CN: glossary terms rendered differently: {problems}"


def test_glossary_check_would_catch_a_bad_tier_label() -> None:
    assert load_glossary("zh_CN").check("High risk", "高危")
