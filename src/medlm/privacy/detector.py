"""PHI detection: runs the recognizers, suppresses clinical false positives, resolves overlaps."""

from __future__ import annotations

from collections.abc import Callable

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
    recognizer (these rules need no spaCy and no download), optionally spaCy person names.

    `min_score` drops candidates below that confidence. `ner` adds spaCy's PERSON entities
    from the packaged English model (`medlm.privacy.ner`): None uses them when the model is
    installed, True requires it (DataPackageMissingError otherwise), False never uses them.
    """

    def __init__(self, *, min_score: float = 0.5, ner: bool | None = None) -> None:
        from medlm.privacy.ner import ner_available, ner_names

        self.min_score = min_score
        self.ner = ner_available() if ner is None else ner
        self._ner: Callable[[str], list[Span]] | None = ner_names() if self.ner else None

    @classmethod
    def from_setting(cls, deid_ner: str) -> PhiDetector:
        """The detector for `security.deid_ner` ("auto", "on" or "off")."""
        return cls(ner={"auto": None, "on": True, "off": False}[deid_ner])

    def detect(self, text: str) -> Detection:
        """Find the PHI spans of `text` (labels are `PhiLabel` values)."""
        candidates = [*find_patterns(text), *find_names(text)]
        if self._ner is not None:
            candidates += self._ner(text)
        candidates = [s for s in candidates if s.score >= self.min_score]
        kept, dropped = suppress(text, candidates, clinical_terms())
        return Detection(spans=_resolve(kept), suppressed=dropped)
