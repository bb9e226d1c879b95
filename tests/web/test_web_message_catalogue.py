"""Every generated clinical sentence (`medlm.messages` template) is in both catalogues: in en
with its English text, in zh_CN translated (not empty, not fuzzy, not the English) with the
same placeholders. Entries are keyed msgctxt = template id, msgid = English template."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from medlm.messages import PLACEHOLDER, MessageTemplate, templates

LOCALES = Path(__file__).parents[2] / "src" / "medlm" / "locales"


def catalogue(locale: str) -> Catalog:
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def problems(catalog: Catalog, wanted: list[MessageTemplate], *, english: bool) -> list[str]:
    """What is wrong with the catalogue's entries for these templates, one line each."""
    found = []
    for tmpl in wanted:
        if tmpl.neutral:  # no words of its own (a placeholder, punctuation): no entry needed
            continue
        entry = catalog.get(tmpl.text, context=tmpl.id)
        string = entry.string if entry is not None and isinstance(entry.string, str) else ""
        if entry is None or not string or entry.fuzzy:
            found.append(f"{tmpl.id}: missing, empty or fuzzy")
        elif english and string != tmpl.text:
            found.append(f"{tmpl.id}: English entry differs from the template")
        elif not english and string == tmpl.text:
            found.append(f"{tmpl.id}: not translated")
        elif sorted(PLACEHOLDER.findall(string)) != sorted(PLACEHOLDER.findall(tmpl.text)):
            found.append(f"{tmpl.id}: placeholders differ")
    return found


@pytest.mark.parametrize(("locale", "english"), [("en", True), ("zh_CN", False)])
def test_every_template_the_code_and_knowledge_use_is_in_the_catalogue(
    locale: str, english: bool
) -> None:
    assert problems(catalogue(locale), list(templates().values()), english=english) == []


def test_a_missing_or_mismatched_translation_is_reported() -> None:
    tmpl = MessageTemplate(id="test.renal", text="%(drug)s with eGFR %(egfr)s")
    other = MessageTemplate(id="test.other", text="%(drug)s in pregnancy")
    catalog = Catalog(locale="zh_CN")
    catalog.add(tmpl.text, "%(drug)s，eGFR %(value)s", context=tmpl.id)
    assert problems(catalog, [tmpl, other], english=False) == [
        "test.renal: placeholders differ",
        "test.other: missing, empty or fuzzy",
    ]


def test_an_entry_left_in_english_is_reported() -> None:
    tmpl = MessageTemplate(id="test.renal", text="%(drug)s with eGFR %(egfr)s")
    catalog = Catalog(locale="zh_CN")
    catalog.add(tmpl.text, tmpl.text, context=tmpl.id)
    assert problems(catalog, [tmpl], english=False) == ["test.renal: not translated"]
