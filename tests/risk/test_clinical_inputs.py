"""The clinical scores read their items from problems, drugs and smoking status in a record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.risk.bundles import bundle, condition, medication, quantity, smoking

from medlm.records import PatientRecord
from medlm.records.read import read_document
from medlm.risk.baselines import ScoreInputs, framingham_cvd_bmi
from medlm.risk.clinical_inputs import framingham_from_record

AS_OF = datetime(2026, 2, 1, tzinfo=UTC)


def _record(*resources: dict) -> PatientRecord:
    report = read_document(bundle(*resources, gender="male", birth_date="1970-01-15"))
    return report.records[0]


def _measurements() -> list[dict]:
    return [
        quantity("bmi", "39156-5", "Body mass index", 28.0, "kg/m2"),
        quantity("sbp", "8480-6", "Systolic blood pressure", 150, "mm[Hg]"),
    ]


def test_framingham_2008_is_computed_from_the_records_problems_drugs_and_smoking() -> None:
    record = _record(
        *_measurements(),
        condition("c-htn", "59621000", "Essential hypertension (disorder)"),
        condition("c-t2d", "44054006", "Diabetes mellitus type 2 (disorder)"),
        medication("ms-aml", "amlodipine 5 MG Oral Tablet"),
        smoking("smk", "449868002", "Smokes tobacco daily (finding)"),
    )
    result = framingham_from_record(record, AS_OF)
    assert result.missing_items == []
    expected = framingham_cvd_bmi(
        age=56, male=True, bmi=28.0, sbp=150, bp_treated=True, smoker=True, diabetes=True
    )
    assert result.risk == pytest.approx(expected)
    assert result.evidence["bp_treated"] == ["MedicationStatement/ms-aml"]
    assert result.evidence["smoker"] == ["Observation/smk"]
    assert result.evidence["diabetes"] == ["Condition/c-t2d"]


def test_without_a_smoking_status_the_score_lists_the_item_instead_of_guessing() -> None:
    record = _record(
        *_measurements(), condition("c-htn", "59621000", "Essential hypertension (disorder)")
    )
    result = framingham_from_record(record, AS_OF)
    assert result.risk is None
    assert result.missing_items == ["bp_treated", "smoker"]
    assert result.items["diabetes"] is False


def test_findrisc_and_ada_items_read_hypertension_and_bp_drugs_from_the_record() -> None:
    record = _record(
        *_measurements(),
        condition("c-htn", "59621000", "Essential hypertension (disorder)"),
        medication("ms-lis", "lisinopril 10 MG Oral Tablet"),
    )
    inputs = ScoreInputs.from_record(record, AS_OF)
    assert inputs.age == 56 and inputs.male is True and inputs.bmi == 28.0
    assert inputs.high_blood_pressure is True and inputs.bp_medication_ever is True
    assert inputs.family_history is None  # a questionnaire item no record answers
