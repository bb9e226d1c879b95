"""Fixtures for treatment tests: one shared recommender and a compact patient builder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from medlm.knowledge.concepts import load_concepts
from medlm.records import (
    AllergyIntolerance,
    CodeSystem,
    Coding,
    Condition,
    Dose,
    MedicationRequest,
    MedicationStatement,
    MedicationStatus,
    Observation,
    Patient,
    PatientRecord,
    PharmacogenomicResult,
)
from medlm.treatment import TreatmentRecommender

TODAY = date(2026, 1, 1)
# short name -> (LOINC code, canonical unit, concept): records built here carry the concept the
# records boundary would set, so these tests exercise the rules, not the boundary.
LOINC = {
    "egfr": ("62238-1", "mL/min/{1.73_m2}", "egfr"),
    "hba1c": ("4548-4", "%", "hba1c"),
    "sbp": ("8480-6", "mm[Hg]", "systolic_bp"),
    "dbp": ("8462-4", "mm[Hg]", "diastolic_bp"),
    "ldl": ("13457-7", "mg/dL", "ldl_cholesterol"),
    "acr": ("9318-7", "mg/g", "urine_acr"),
}


def icd10_condition(pid: str, code: str) -> Condition:
    """An ICD-10-CM Condition with the concepts the records boundary gives it."""
    coding = Coding(system=CodeSystem.ICD10CM, code=code)
    concepts = sorted(load_concepts().condition_concepts(coding))
    return Condition(patient_id=pid, code=coding, concepts=concepts)


Builder = Callable[..., PatientRecord]


@pytest.fixture(scope="session")
def recommender() -> TreatmentRecommender:
    return TreatmentRecommender()


def build_record(
    *,
    age: float = 60,
    sex: str = "male",
    conditions: tuple[str, ...] = (),
    meds: tuple[Any, ...] = (),
    orders: tuple[Any, ...] = (),
    allergies: tuple[str, ...] = (),
    pgx: dict[str, str] | None = None,
    ascvd_risk: float | None = None,
    pregnancy_status: str | None = None,
    **labs: float,
) -> PatientRecord:
    """A patient; meds/orders are names or (name, mg); labs by short name (egfr=25, sbp=150)."""
    pid = "p1"

    def med(cls: Any, item: Any, i: int, **kw: Any) -> Any:
        name, mg = item if isinstance(item, tuple) else (item, None)
        dose = Dose(value=mg, unit="mg") if mg else None
        return cls(id=f"m{i}", patient_id=pid, name=name, dose=dose, **kw)

    obs = [
        Observation(
            patient_id=pid,
            code=Coding(system=CodeSystem.LOINC, code=LOINC[k][0]),
            value=v,
            unit=LOINC[k][1],
            concept=LOINC[k][2],
        )
        for k, v in labs.items()
    ]
    if ascvd_risk is not None:
        obs.append(
            Observation(
                patient_id=pid,
                value=ascvd_risk,
                unit="%",
                code=Coding(system=CodeSystem.MEDLM, code="ascvd-10y-risk"),
                concept="ascvd_risk_10y",
            )
        )
    if pregnancy_status is not None:
        obs.append(
            Observation(
                patient_id=pid,
                value_text=pregnancy_status,
                code=Coding(system=CodeSystem.LOINC, code="82810-3"),
                concept="pregnancy_status",
            )
        )
    return PatientRecord(
        patient=Patient(id=pid, age=age, sex=sex),
        observations=obs,
        conditions=[icd10_condition(pid, c) for c in conditions],
        medication_statements=[med(MedicationStatement, m, i) for i, m in enumerate(meds)],
        medication_requests=[
            med(MedicationRequest, m, 100 + i, status=MedicationStatus.DRAFT)
            for i, m in enumerate(orders)
        ],
        allergies=[AllergyIntolerance(patient_id=pid, substance=a) for a in allergies],
        pharmacogenomics=[
            PharmacogenomicResult(patient_id=pid, gene=g, phenotype=p)
            for g, p in (pgx or {}).items()
        ],
    )


@pytest.fixture
def make_record() -> Builder:
    return build_record
