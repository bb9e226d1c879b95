"""Span-level precision, recall and F1 per label, by exact and by overlap matching.

Exact: a predicted span counts when a gold span has the same label, start and end.
Overlap (lenient): a predicted span counts when it overlaps a gold span of the same label, and a
gold span is found when some predicted span of its label overlaps it; precision is computed over
predictions and recall over gold spans, so one long prediction covering two gold spans finds both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from medlm.records import Span

Matching = Literal["exact", "overlap"]


class SpanScores(BaseModel):
    """Counts and scores of one label under one matching rule."""

    model_config = ConfigDict(frozen=True)

    label: str
    matching: Matching
    gold: int
    predicted: int
    found: int  # gold spans matched
    correct: int  # predicted spans matched

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _hit(a: Span, b: Span, matching: Matching) -> bool:
    if a.label != b.label:
        return False
    if matching == "exact":
        return a.start == b.start and a.end == b.end
    return a.start < b.end and b.start < a.end


def score_spans(
    documents: Iterable[tuple[Sequence[Span], Sequence[Span]]],
    labels: Sequence[str],
    matching: Matching,
) -> list[SpanScores]:
    """Scores per label, then for all labels together ("all"), over (gold, predicted) pairs."""
    counts = {label: [0, 0, 0, 0] for label in [*labels, "all"]}
    for gold, predicted in documents:
        for label in labels:
            g = [s for s in gold if s.label == label]
            p = [s for s in predicted if s.label == label]
            found = sum(any(_hit(x, y, matching) for y in p) for x in g)
            correct = sum(any(_hit(y, x, matching) for x in g) for y in p)
            for key in (label, "all"):
                c = counts[key]
                c[0], c[1], c[2], c[3] = c[0] + len(g), c[1] + len(p), c[2] + found, c[3] + correct
    return [
        SpanScores(label=k, matching=matching, gold=c[0], predicted=c[1], found=c[2], correct=c[3])
        for k, c in counts.items()
    ]
