"""Lab values for treatment rules: the latest fresh value of a concept, read conservatively.

A value may be a bound rather than a measure (FHIR `valueQuantity.comparator`: eGFR '>60').
Rules ask `below(cut)` and get True, False or None: None means the bound cannot decide the
comparison (eGFR '>20' against a cut-off of 30) and the rule must say it could not check,
never guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from medlm.knowledge.concepts import load_concepts
from medlm.records import Comparator, PatientRecord
from medlm.records.timing import freshness_window, latest_reading

# The value-set concepts treatment reads (medlm.knowledge.concepts), with the name used in
# messages. Their canonical units and freshness windows come from the concept library.
LAB_LABELS: dict[str, str] = {
    "egfr": "eGFR",
    "hba1c": "HbA1c",
    "ldl_cholesterol": "LDL cholesterol",
    "urine_acr": "urine albumin/creatinine ratio",
    "systolic_bp": "systolic blood pressure",
    "diastolic_bp": "diastolic blood pressure",
    "ascvd_risk_10y": "10-year ASCVD risk",
    "potassium": "potassium",
    "creatinine": "creatinine",
    "lvef": "left ventricular ejection fraction",
}
CODED_CONCEPTS = ("pregnancy_status",)


class LabWindows(BaseModel):
    """Per concept: the canonical unit a value must be in, and how many days it stays fresh."""

    model_config = ConfigDict(frozen=True)

    units: dict[str, str]
    freshness_days: dict[str, float | None]


def lab_windows(overrides: Mapping[str, float] | None = None) -> LabWindows:
    """Units and freshness from the concept library; `overrides` (settings) win per concept."""
    library = load_concepts()
    keys = [*LAB_LABELS, *CODED_CONCEPTS]
    units = {k: library.observation(k).unit or "" for k in LAB_LABELS}
    fresh = {k: freshness_window(k, overrides) for k in keys}
    return LabWindows(units=units, freshness_days=fresh)


class LabValue(BaseModel):
    """One value in its concept's canonical unit; with a comparator it is only a bound."""

    model_config = ConfigDict(frozen=True)

    value: float
    comparator: Comparator | None = None
    observed: datetime | None = None

    @property
    def exact(self) -> float | None:
        """The value when it is a measure, None when it is only a bound."""
        return self.value if self.comparator is None else None

    def text(self) -> str:
        return f"{self.comparator or ''}{self.value:g}"

    def below(self, cut: float) -> bool | None:
        """Is the true value below `cut`? None when the bound cannot tell."""
        v, c = self.value, self.comparator
        if c is None:
            return v < cut
        if c in (">", ">="):
            return False if v >= cut else None
        if c == "<":
            return True if v <= cut else None
        return True if v < cut else None  # "<="

    def at_least(self, cut: float) -> bool | None:
        """Is the true value at or above `cut`? None when the bound cannot tell."""
        below = self.below(cut)
        return None if below is None else not below

    def within(self, low: float | None, high: float) -> bool | None:
        """Is `low <= value < high`? (Kleene and: one False decides; else None if unknown.)"""
        parts = [self.below(high)] + ([self.at_least(low)] if low is not None else [])
        if False in parts:
            return False
        return None if None in parts else True


def read_labs(
    record: PatientRecord, as_of: datetime, windows: LabWindows
) -> tuple[dict[str, LabValue], list[str]]:
    """The latest fresh value of each lab concept at `as_of`, and what could not be used.

    Stale values and values in a unit other than the concept's canonical one (input that did
    not pass through the records boundary) are reported, not used.
    """
    labs: dict[str, LabValue] = {}
    notes: list[str] = []
    for concept, label in LAB_LABELS.items():
        reading = latest_reading(
            record,
            concept,
            as_of=as_of,
            freshness_days=windows.freshness_days.get(concept),
            label=label,
        )
        obs = reading.observation
        if reading.stale is not None and reading.note:
            notes.append(reading.note)
        if obs is None or obs.value is None:
            continue
        unit = windows.units[concept]
        if obs.unit != unit:
            notes.append(
                f"{label} {obs.value:g} {obs.unit} ({_ref(obs.id)}) is not in {unit}: not used"
            )
            continue
        labs[concept] = LabValue(value=obs.value, comparator=obs.comparator, observed=obs.effective)
    if "egfr" not in labs and record.observations_of("egfr_unnormalized"):
        notes.append(
            "eGFR recorded only in mL/min (not per 1.73 m2): not used as eGFR; "
            "kidney checks need an eGFR in mL/min/{1.73_m2}"
        )
    return labs, notes


def lab_param(value: LabValue) -> float | str:
    """A lab value as a message parameter: the number, or its text when it is a bound ('<15')."""
    return value.text() if value.comparator else value.value


def _ref(obs_id: str | None) -> str:
    return f"Observation/{obs_id}" if obs_id else "an Observation without id"
