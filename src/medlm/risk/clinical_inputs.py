"""The clinical scores' items read from a patient record through the concept layer.

Age at the as-of time, sex, BMI and systolic BP by concept (any code the value sets know, in
the canonical unit), hypertension and diabetes from problems, BP treatment from an active
antihypertensive, smoking from the tobacco smoking status Observation (`medlm.risk.facts`).
Every item says which record entries it came from; an item the record cannot answer stays
unknown and is listed, never guessed.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from medlm.records import PatientRecord, Sex
from medlm.records.timing import latest_reading
from medlm.risk.baselines import ScoreInputs, framingham_cvd_bmi
from medlm.risk.facts import record_fact


class ItemEvidence(BaseModel):
    """The record entries each known item came from, and notes on items taken as 0 or unknown."""

    evidence: dict[str, list[str]] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class FraminghamResult(BaseModel):
    """Framingham 2008 office-based 10-year CVD risk from a record, or the items it lacks."""

    risk: float | None = Field(default=None, description="None when an item is unknown.")
    missing_items: list[str] = Field(default_factory=list)
    items: dict[str, float | bool] = Field(default_factory=dict)
    evidence: dict[str, list[str]] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


def _measure(
    record: PatientRecord, concept: str, as_of: datetime, seen: ItemEvidence, item: str
) -> float | None:
    reading = latest_reading(record, concept, as_of=as_of, freshness_days=None)
    obs = reading.observation
    if obs is None or obs.value is None or obs.comparator is not None:
        return None
    seen.evidence[item] = [f"Observation/{obs.id}"] if obs.id else []
    return obs.value


def _fact(
    record: PatientRecord, spec: str, as_of: datetime, seen: ItemEvidence, item: str
) -> bool | None:
    fact = record_fact(record, spec, as_of, item)
    if fact.note:
        seen.notes.append(fact.note)
    if fact.value is None:
        return None
    seen.evidence[item] = fact.evidence
    return bool(fact.value)


def _male(record: PatientRecord) -> bool | None:
    sex = record.patient.sex
    return None if sex in (Sex.UNKNOWN, Sex.OTHER) else sex == Sex.MALE


def score_inputs(record: PatientRecord, as_of: datetime) -> tuple[ScoreInputs, ItemEvidence]:
    """FINDRISC / ADA items a record can answer; questionnaire items stay unknown."""
    seen = ItemEvidence()
    inputs = ScoreInputs(
        age=record.patient.age_on(as_of.date()),
        male=_male(record),
        bmi=_measure(record, "bmi", as_of, seen, "bmi"),
        high_blood_pressure=_fact(record, "condition:hypertension", as_of, seen, "hypertension"),
        bp_medication_ever=_fact(
            record, "medication:antihypertensive", as_of, seen, "bp_medication"
        ),
    )
    return inputs, seen


def framingham_from_record(record: PatientRecord, as_of: datetime) -> FraminghamResult:
    """D'Agostino 2008 BMI-model risk when every item is known; else the missing items."""
    seen = ItemEvidence()
    items: dict[str, float | bool | None] = {
        "age": record.patient.age_on(as_of.date()),
        "male": _male(record),
        "bmi": _measure(record, "bmi", as_of, seen, "bmi"),
        "sbp": _measure(record, "systolic_bp", as_of, seen, "sbp"),
        "bp_treated": _fact(record, "medication:antihypertensive", as_of, seen, "bp_treated"),
        "smoker": _fact(record, "smoking:current", as_of, seen, "smoker"),
        "diabetes": _fact(record, "condition:diabetes", as_of, seen, "diabetes"),
    }
    known = {k: v for k, v in items.items() if v is not None}
    missing = [k for k, v in items.items() if v is None]
    risk = None
    if not missing:
        risk = framingham_cvd_bmi(
            age=float(known["age"]),
            male=bool(known["male"]),
            bmi=float(known["bmi"]),
            sbp=float(known["sbp"]),
            bp_treated=bool(known["bp_treated"]),
            smoker=bool(known["smoker"]),
            diabetes=bool(known["diabetes"]),
        )
    return FraminghamResult(
        risk=risk, missing_items=missing, items=known, evidence=seen.evidence, notes=seen.notes
    )
