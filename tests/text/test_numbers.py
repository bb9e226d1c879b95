"""Numbers written in words."""

from __future__ import annotations

import pytest

from medlm.text.numbers import NUMBER_WORDS, words_to_int


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Sixty", 60),
        ("fifty-six", 56),
        ("One hundred eighty", 180),
        ("Three hundred and thirty-one", 331),
        ("two thousand five hundred", 2500),
    ],
)
def test_number_words_are_read(text: str, value: int) -> None:
    assert words_to_int(text) == value
    match = NUMBER_WORDS.search(f"In total {text} adults")
    assert match is not None and match.group() == text


def test_other_words_are_not_numbers() -> None:
    assert words_to_int("several") is None
