"""The shared Span type."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from medlm.records import Span


def test_span_text_in_returns_covered_substring() -> None:
    assert Span(start=4, end=9, label="NAME").text_in("Dr. Smith saw") == "Smith"


def test_span_end_before_start_is_rejected() -> None:
    with pytest.raises(ValidationError, match="before its start"):
        Span(start=5, end=2, label="X")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [((0, 5), (5, 9), False), ((0, 5), (4, 9), True), ((3, 4), (0, 9), True)],
)
def test_span_overlap_is_half_open(a: tuple[int, int], b: tuple[int, int], expected: bool) -> None:
    s1 = Span(start=a[0], end=a[1], label="A")
    s2 = Span(start=b[0], end=b[1], label="B")
    assert s1.overlaps(s2) is expected
