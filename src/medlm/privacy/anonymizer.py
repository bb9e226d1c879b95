"""De-identification: detect PHI spans, then replace each with its operator's output."""

from __future__ import annotations

from pydantic import BaseModel

from medlm.privacy.detector import PhiDetector
from medlm.privacy.operators import OperatorConfig, replace
from medlm.privacy.terms import restricted_zip3
from medlm.records import Span


class DeidResult(BaseModel):
    """De-identified text and the PHI spans found, as offsets into the original text."""

    text: str
    spans: list[Span]


def anonymize(text: str, spans: list[Span], config: OperatorConfig) -> str:
    """Apply the operators to non-overlapping `spans` of `text` (detection is done elsewhere)."""
    restricted = restricted_zip3()
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < cursor:
            continue
        pieces.append(text[cursor : span.start])
        pieces.append(replace(span.text_in(text), span.label, config, restricted))
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def deidentify(
    text: str, config: OperatorConfig | None = None, detector: PhiDetector | None = None
) -> DeidResult:
    """Detect and replace PHI in one text (default detector: `PhiDetector()`, which adds spaCy
    person names when the packaged model is installed)."""
    config = config or OperatorConfig()
    spans = (detector or PhiDetector()).detect(text).spans
    return DeidResult(text=anonymize(text, spans, config), spans=spans)
