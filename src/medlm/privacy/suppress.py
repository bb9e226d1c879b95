"""Clinical false-positive suppression: drops PHI candidates that are eponyms, scores or units,
and says why."""

from __future__ import annotations

import re

from pydantic import BaseModel

from medlm.privacy.categories import PhiLabel
from medlm.privacy.terms import ClinicalTerms
from medlm.records import Span

_EPONYM_TAIL = re.compile(
    r"^(?:'s|’s)?\s+(?:disease|syndrome|lymphoma|sign|palsy|tumou?r|phenomenon|test|score|"
    r"scale|criteria|catheter|triad|reflex|esophagus|encephalopathy|thyroiditis|sarcoma)\b",
    re.IGNORECASE,
)
_SCORE_TAIL = re.compile(r"^\s*(?:score\s*)?(?:of\s*)?[:=]?\s*\d")


class Suppressed(BaseModel):
    """A candidate PHI span that was not reported, with the reason."""

    span: Span
    reason: str


def _name_reason(text: str, span: Span, terms: ClinicalTerms) -> str | None:
    value = span.text_in(text)
    words = [w.lower().strip(".'’") for w in re.split(r"[\s-]+", value) if w]
    tail = text[span.end : span.end + 40]
    if words and all(w in terms.eponyms for w in words) and _EPONYM_TAIL.match(tail):
        return f"eponym {value!r} names a condition or sign"
    if words and all(w in terms.scores for w in words) and _SCORE_TAIL.match(tail):
        return f"{value!r} is a clinical score"
    if words and all(w in terms.common_words for w in words):
        return f"{value!r} is an ordinary clinical word"
    return None


def _number_reason(text: str, span: Span, terms: ClinicalTerms) -> str | None:
    tail = text[span.end : span.end + 8].strip().lower()
    unit = re.match(r"^[a-z%/]+", tail)
    if unit and unit.group(0).split("/")[0] in terms.units:
        return f"number followed by the unit {unit.group(0)!r}"
    head = text[max(0, span.start - 10) : span.start].lower()
    score_name = re.search(r"([a-z0-9-]+)\s*[:=]?\s*$", head)
    if score_name and score_name.group(1) in terms.scores:
        return f"value of the clinical score {score_name.group(1).upper()!r}"
    return None


def suppress(
    text: str, spans: list[Span], terms: ClinicalTerms
) -> tuple[list[Span], list[Suppressed]]:
    """Split candidate spans into kept ones and suppressed ones with reasons."""
    kept: list[Span] = []
    dropped: list[Suppressed] = []
    for span in spans:
        reason: str | None = None
        if span.label in {PhiLabel.NAME, PhiLabel.CITY, PhiLabel.COUNTY}:
            reason = _name_reason(text, span, terms)
        elif span.label in {PhiLabel.ID, PhiLabel.ACCOUNT, PhiLabel.PHONE, PhiLabel.DEVICE}:
            reason = _number_reason(text, span, terms)
        if reason is None:
            kept.append(span)
        else:
            dropped.append(Suppressed(span=span, reason=reason))
    return kept, dropped
