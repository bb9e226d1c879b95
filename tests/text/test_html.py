"""The HTML view: highlighted entities with context classes, escaped text."""

from __future__ import annotations

from medlm import DISCLAIMER
from medlm.records import Span
from medlm.text import MedicalTextAnalyzer
from medlm.text.html import Highlight, highlight, render_html


def test_entities_are_marked_with_label_and_context_classes() -> None:
    analyzer = MedicalTextAnalyzer(packaged=False)
    result = analyzer.analyze("No <b>rash</b> today.", targets=["rash"], doc_id="d1")
    page = render_html([result])
    assert '<mark class="target negated"' in page
    assert "&lt;b&gt;" in page and "<b>" not in page
    assert DISCLAIMER in page and "<h2>d1</h2>" in page


def test_overlapping_marks_keep_the_first() -> None:
    marks = [
        Highlight(Span(start=0, end=5, label="a"), "a", ("a",)),
        Highlight(Span(start=3, end=8, label="b"), "b", ("b",)),
    ]
    html = highlight("abcdefgh", marks)
    assert html == '<mark class="a" title="a">abcde</mark>fgh'
