"""De-identification: detect PHI spans, then replace each with its operator's output."""

from __future__ import annotations

from pydantic import BaseModel, Field

from medlm.privacy.categories import PhiLabel
from medlm.privacy.detector import PhiDetector
from medlm.privacy.operators import UNSHIFTED_DATE, OperatorConfig, replace
from medlm.privacy.terms import restricted_zip3
from medlm.records import Span


class DeidResult(BaseModel):
    """De-identified text and the PHI spans found, as offsets into the original text."""

    text: str
    spans: list[Span]
    unshifted_dates: int = Field(
        default=0,
        description="With date shifting: dates replaced by the [DATE] placeholder because "
        "they could not be read or would shift outside years 1-9999.",
    )


def _apply(text: str, spans: list[Span], config: OperatorConfig) -> tuple[str, int]:
    """The anonymized text and the number of dates that could not be shifted."""
    restricted = restricted_zip3()
    pieces: list[str] = []
    cursor, unshifted = 0, 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < cursor:
            continue
        pieces.append(text[cursor : span.start])
        replacement = replace(span.text_in(text), span.label, config, restricted)
        if config.shift_dates and span.label == PhiLabel.DATE and replacement == UNSHIFTED_DATE:
            unshifted += 1
        pieces.append(replacement)
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces), unshifted


def anonymize(text: str, spans: list[Span], config: OperatorConfig) -> str:
    """Apply the operators to non-overlapping `spans` of `text` (detection is done elsewhere)."""
    return _apply(text, spans, config)[0]


def deidentify(
    text: str, config: OperatorConfig | None = None, detector: PhiDetector | None = None
) -> DeidResult:
    """Detect and replace PHI in one text (default detector: `PhiDetector()`, which adds spaCy
    person names when the packaged model is installed)."""
    config = config or OperatorConfig()
    spans = (detector or PhiDetector()).detect(text).spans
    anonymized, unshifted = _apply(text, spans, config)
    return DeidResult(text=anonymized, spans=spans, unshifted_dates=unshifted)
