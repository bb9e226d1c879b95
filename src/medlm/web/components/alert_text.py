"""Alert sentences in the page's language, built from an alert's structured fields.

The monitor's `reason` is an English sentence; pages show a translated sentence made from the
alert's signal, kind, level and response instead, followed by the measurement behind it (value
and threshold in the unit the reading was reported in, numbers formatted per locale, how long
it lasted), and keep the English reason only as an optional detail. NEWS2 levels are the RCP
2017 response levels (monitor/alerts.py); glucose levels are the ranks and names of
knowledge/glucose/thresholds.yaml, whose names the glucose monitor also stores as the alert's
response.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from medlm.knowledge.glucose import load_glucose_thresholds
from medlm.web.components.messages import N_

Label = Callable[[str], str]
Number = Callable[[float], str]
Plural = Callable[[str, str, int], str]

SIGNAL_LABELS = {"news2": N_("NEWS2"), "glucose": N_("Glucose")}
KIND_SENTENCES = {
    "raised": N_("%(signal)s alert raised: %(level)s."),
    "escalated": N_("%(signal)s alert escalated to %(level)s."),
    "renotified": N_("%(signal)s alert repeated while unacknowledged: %(level)s."),
    "rising": N_("%(signal)s score rising: now %(level)s."),
    "de-escalated": N_("%(signal)s alert de-escalated to %(level)s."),
    "predicted-low": N_("%(signal)s predicted to fall low: now %(level)s."),
    "rapid-fall": N_("%(signal)s falling rapidly: now %(level)s."),
}
OTHER_KIND = N_("%(signal)s alert (%(kind)s): %(level)s.")
NEWS2_LEVEL = N_("response level %(level)s")
NO_GLUCOSE_LEVEL = N_("no glucose alert level")
RESPONSE_SENTENCE = N_("%(sentence)s Response: %(response)s.")
VALUE_SENTENCE = N_("%(sentence)s Value: %(value)s.")
VALUE_THRESHOLD_SENTENCE = N_("%(sentence)s Value: %(value)s; threshold: %(threshold)s.")
DURATION_SENTENCE = N_("%(sentence)s Lasting %(minutes)s min.")
SCORE_POINT, SCORE_POINTS = N_("%(value)s point"), N_("%(value)s points")  # one message
# The names of knowledge/glucose/thresholds.yaml's alert levels, for the extractor.
GLUCOSE_LEVEL_NAMES = (
    N_("level 2 hypoglycaemia"),
    N_("level 1 hypoglycaemia"),
    N_("level 2 hyperglycaemia"),
    N_("persistent hyperglycaemia"),
    N_("level 1 hyperglycaemia"),
)
NEWS2_RESPONSES = (
    N_("emergency response"),
    N_("urgent response"),
    N_("urgent ward-based response"),
    N_("ward-based response"),
    N_("routine monitoring"),
)


class AlertFields(BaseModel):
    """The structured fields of an alert a page shows (a `VitalAlert` or a stored alert)."""

    signal: str
    kind: str
    level: int
    response: str | None = None
    value: float | None = None
    unit: str | None = None
    threshold: float | None = None
    duration_minutes: float | None = None


def _same(text: str) -> str:
    return text


def _plain(value: float) -> str:
    return f"{value:g}"


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def glucose_level_name(rank: int) -> str | None:
    """The English name of glucose alert rank `rank`, None for rank 0 or an unknown rank."""
    for level in load_glucose_thresholds().levels:
        if level.rank == rank:
            return level.name
    return None


def _level_text(alert: AlertFields, label: Label) -> str:
    if alert.signal == "glucose":
        name = glucose_level_name(alert.level)
        return label(name) if name else label(NO_GLUCOSE_LEVEL)
    return label(NEWS2_LEVEL) % {"level": alert.level}


def _quantity(value: float, unit: str | None, number: Number, plural: Plural) -> str:
    """'3.1 mmol/L' with a unit; '8 points' (in the page's plural form) for a score."""
    if unit is None:
        return plural(SCORE_POINT, SCORE_POINTS, round(value)) % {"value": number(value)}
    return f"{number(value)} {unit}"


def measurement_sentence(
    sentence: str,
    alert: AlertFields,
    label: Label = _same,
    number: Number = _plain,
    plural: Plural = _english_plural,
) -> str:
    """`sentence` followed by the alert's value, threshold and duration (when it has them)."""
    if alert.value is None:
        return sentence
    value = _quantity(alert.value, alert.unit, number, plural)
    if alert.threshold is None:
        sentence = label(VALUE_SENTENCE) % {"sentence": sentence, "value": value}
    else:
        threshold = _quantity(alert.threshold, alert.unit, number, plural)
        sentence = label(VALUE_THRESHOLD_SENTENCE) % {
            "sentence": sentence,
            "value": value,
            "threshold": threshold,
        }
    if alert.duration_minutes:
        minutes = number(round(alert.duration_minutes))
        sentence = label(DURATION_SENTENCE) % {"sentence": sentence, "minutes": minutes}
    return sentence


def alert_sentence(
    alert: AlertFields,
    label: Label = _same,
    number: Number = _plain,
    plural: Plural = _english_plural,
) -> str:
    """The alert as one sentence in `label`'s language (`plural` its plural forms) with numbers
    by `number`, e.g. 'NEWS2
    alert raised: response level 3. Response: urgent response. Value: 6 points; threshold:
    5 points.'"""
    signal = label(SIGNAL_LABELS[alert.signal]) if alert.signal in SIGNAL_LABELS else alert.signal
    values = {"signal": signal, "level": _level_text(alert, label), "kind": alert.kind}
    template = KIND_SENTENCES.get(alert.kind, OTHER_KIND)
    sentence = label(template) % values
    if alert.signal == "news2" and alert.response:
        response = label(alert.response) if alert.response in NEWS2_RESPONSES else alert.response
        sentence = label(RESPONSE_SENTENCE) % {"sentence": sentence, "response": response}
    return measurement_sentence(sentence, alert, label, number, plural)
