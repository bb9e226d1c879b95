"""Negative cases: patients whose chronic conditions are already treated as the guidelines ask
get no guideline recommendation at all."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from medlm.records import CodeSystem, Coding, Observation, PatientRecord
from medlm.treatment import TreatmentRecommender

# concept -> (LOINC, canonical unit)
_CODES = {
    "lvef": ("10230-1", "%"),
    "potassium": ("2823-3", "mmol/L"),
    "systolic_bp": ("8480-6", "mm[Hg]"),
    "diastolic_bp": ("8462-4", "mm[Hg]"),
}


def _with(record: PatientRecord, *values: tuple[str, float, int]) -> PatientRecord:
    """Add (concept, value, days before AS_OF) Observations."""
    obs = [
        Observation(
            patient_id=record.patient.id,
            code=Coding(system=CodeSystem.LOINC, code=_CODES[c][0]),
            value=v,
            unit=_CODES[c][1],
            concept=c,
            effective=AS_OF - timedelta(days=days),
        )
        for c, v, days in values
    ]
    return record.model_copy(update={"observations": [*record.observations, *obs]})


AS_OF = datetime(2026, 1, 1)


def test_treated_af_hfref_ckd_and_controlled_bp_get_no_recommendation(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    meds = (
        "apixaban",
        "Entresto",
        "carvedilol",
        "spironolactone",
        "dapagliflozin",
        ("atorvastatin", 40),
    )
    spec = {"age": 72, "conditions": ("I48.91", "I50.22", "N18.3", "I10"), "meds": meds}
    record = _with(
        make_record(egfr=45, acr=120, ldl=70, **spec),
        ("lvef", 30, 60),
        ("potassium", 4.4, 5),
        *[("systolic_bp", 124, 5), ("diastolic_bp", 74, 5)],
        *[("systolic_bp", 122, 40), ("diastolic_bp", 72, 40)],
    )
    report = recommender.recommend(record, AS_OF)
    assert report.recommendations == []


def test_patient_with_no_chronic_condition_and_normal_readings_gets_nothing(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = _with(
        make_record(age=35, sex="female", ldl=100),
        *[("systolic_bp", 112, 3), ("diastolic_bp", 70, 3)],
        *[("systolic_bp", 116, 60), ("diastolic_bp", 72, 60)],
    )
    assert recommender.recommend(record, AS_OF).recommendations == []
