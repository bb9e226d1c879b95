"""Span precision/recall/F1: exact against overlap matching, per label and overall."""

from __future__ import annotations

import pytest

from medlm.records import Span
from medlm.text.span_eval import score_spans


def _s(a: int, b: int, label: str) -> Span:
    return Span(start=a, end=b, label=label)


GOLD = [_s(0, 10, "problem"), _s(20, 30, "problem"), _s(40, 45, "medication")]
PRED = [
    _s(0, 10, "problem"),
    _s(22, 35, "problem"),
    _s(40, 45, "problem"),
    _s(50, 55, "medication"),
]


def test_exact_matching_needs_same_label_start_and_end() -> None:
    by_label = {s.label: s for s in score_spans([(GOLD, PRED)], ["problem", "medication"], "exact")}
    problem = by_label["problem"]
    assert (problem.gold, problem.predicted, problem.found, problem.correct) == (2, 3, 1, 1)
    assert problem.precision == pytest.approx(1 / 3)
    assert problem.recall == pytest.approx(1 / 2)
    assert problem.f1 == pytest.approx(0.4)
    assert by_label["medication"].f1 == 0.0  # right place, wrong label does not count
    assert (by_label["all"].gold, by_label["all"].predicted, by_label["all"].found) == (3, 4, 1)


def test_overlap_matching_counts_a_shifted_span_of_the_same_label() -> None:
    by_label = {s.label: s for s in score_spans([(GOLD, PRED)], ["problem"], "overlap")}
    assert (by_label["problem"].found, by_label["problem"].correct) == (2, 2)


def test_one_long_prediction_finds_two_gold_spans_under_overlap_but_counts_once() -> None:
    gold = [_s(0, 5, "problem"), _s(6, 10, "problem")]
    (problem, _) = score_spans([(gold, [_s(0, 10, "problem")])], ["problem"], "overlap")
    assert (problem.found, problem.correct, problem.recall, problem.precision) == (2, 1, 1.0, 1.0)


def test_no_predictions_scores_zero_without_dividing_by_zero() -> None:
    (problem, _) = score_spans([(GOLD, [])], ["problem"], "exact")
    assert (problem.precision, problem.recall, problem.f1) == (0.0, 0.0, 0.0)
