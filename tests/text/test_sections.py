"""The sectionizer: headers of notes and structured abstracts."""

from __future__ import annotations

from medlm.text.sections import Sectionizer


def test_note_headers_open_sections_up_to_the_next_header() -> None:
    text = "CC: cough\nPast Medical History: asthma\nFAMILY HISTORY\nfather with gout"
    sections = Sectionizer().sections(text)
    assert [s.name for s in sections] == [
        "chief_complaint",
        "past_medical_history",
        "family_history",
    ]
    assert text[sections[1].start : sections[1].end].startswith("Past Medical History: asthma")


def test_structured_abstract_labels_are_sections() -> None:
    text = "BACKGROUND: Little is known. METHODS: We randomized 200 adults. RESULTS: None."
    assert [s.name for s in Sectionizer().sections(text)] == ["background", "methods", "results"]


def test_lower_case_word_without_colon_is_not_a_header() -> None:
    assert Sectionizer().sections("plan\nfollow the results") == []


def test_family_history_section_implies_family() -> None:
    assert Sectionizer().implied("family_history") == ("family",)


def test_header_spelled_with_a_turkish_dotless_i_opens_its_section() -> None:
    text = "We treated 40 patients.\nCONCLUSıONS: The drug worked."
    sections = Sectionizer().sections(text)
    assert [s.name for s in sections] == [Sectionizer().sections("CONCLUSIONS: x")[0].name]
    assert sections[0].header == "CONCLUSıONS"
