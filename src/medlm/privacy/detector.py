"""PHI detection: runs the recognizers, suppresses clinical false positives, resolves overlaps."""

from __future__ import annotations

from pydantic import BaseModel

from medlm.privacy.names import find_names
from medlm.privacy.patterns import find_patterns
from medlm.privacy.suppress import Suppressed, suppress
from medlm.privacy.terms import clinical_terms
from medlm.records import Span


class Detection(BaseModel):
    """What the detector found in one text: reported spans (in order) and suppressed candidates."""

    spans: list[Span]
    suppressed: list[Suppressed] = []


def _resolve(spans: list[Span]) -> list[Span]:
    """Keep non-overlapping spans, preferring longer, then higher-scoring ones."""
    ranked = sorted(spans, key=lambda s: (-(s.end - s.start), -s.score, s.start))
    chosen: list[Span] = []
    for span in ranked:
        if not any(span.overlaps(c) for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


class PhiDetector:
    """medlm's own PHI detector: patterns with check digits and context cues plus a name
    recognizer; no spaCy or model download needed.

    `min_score` drops candidates below that confidence.
    """

    def __init__(self, *, min_score: float = 0.5) -> None:
        self.min_score = min_score

    def detect(self, text: str) -> Detection:
        """Find the PHI spans of `text` (labels are `PhiLabel` values)."""
        candidates = [*find_patterns(text), *find_names(text)]
        candidates = [s for s in candidates if s.score >= self.min_score]
        kept, dropped = suppress(text, candidates, clinical_terms())
        return Detection(spans=_resolve(kept), suppressed=dropped)
