"""Sentence splitting and tokens suited to clinical text."""

from __future__ import annotations

from medlm.text.segment import split_sentences, tokenize


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_decimal_and_abbreviation_dots_do_not_end_sentences() -> None:
    text = "HbA1c 8.2% today. Seen by Dr. Smith on metformin 500 mg b.i.d. for two years."
    assert _sentences(text) == ["HbA1c 8.2% today.", text[18:]]


def test_line_breaks_before_capitals_and_bullets_end_sentences() -> None:
    text = "Problems\n- asthma\n- gout\nplan to continue\ninhaler"
    assert _sentences(text) == ["Problems", "- asthma", "- gout\nplan to continue\ninhaler"]


def test_offsets_point_into_the_original_text() -> None:
    text = "  No fever.  Cough since Monday.  "
    for a, b in split_sentences(text):
        assert text[a:b] in {"No fever.", "Cough since Monday."}


def test_tokens_keep_decimals_whole_and_offsets() -> None:
    tokens = tokenize("BP 150/95, T 38.2")
    assert [t.raw for t in tokens] == ["BP", "150", "/", "95", ",", "T", "38.2"]
    assert all("BP 150/95, T 38.2"[t.start : t.end] == t.raw for t in tokens)
