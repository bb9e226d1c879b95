"""PatientRecord and the record models' own validation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from medlm.records import (
    CodeSystem,
    Coding,
    MedicationStatement,
    Observation,
    Patient,
    PatientRecord,
    Sex,
)

GLUCOSE = Coding(system=CodeSystem.LOINC, code="2345-7", display="Glucose")


def _obs(value: float, when: datetime | None, pid: str = "p1") -> Observation:
    return Observation(patient_id=pid, code=GLUCOSE, value=value, unit="mg/dL", effective=when)


def test_latest_prefers_most_recent_dated_observation() -> None:
    record = PatientRecord(
        patient=Patient(id="p1", sex=Sex.FEMALE, age=50),
        observations=[
            _obs(99, None),
            _obs(120, datetime(2025, 1, 2, tzinfo=UTC)),
            _obs(110, datetime(2025, 1, 1, tzinfo=UTC)),
        ],
    )
    latest = record.latest("2345-7")
    assert latest is not None and latest.value == 120
    assert record.latest("0000-0") is None


def test_record_rejects_items_of_another_patient() -> None:
    with pytest.raises(ValidationError, match=r"observations\[0\] belongs to patient 'p2'"):
        PatientRecord(patient=Patient(id="p1"), observations=[_obs(99, None, pid="p2")])


def test_observation_value_without_unit_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"has value 5\.0 but no unit"):
        Observation(patient_id="p1", code=GLUCOSE, value=5.0)


def test_medication_needs_code_or_name() -> None:
    with pytest.raises(ValidationError, match="needs a code or a name"):
        MedicationStatement(patient_id="p1")
    assert MedicationStatement(patient_id="p1", name="metformin").label == "metformin"


def test_patient_age_on_date_counts_whole_years() -> None:
    patient = Patient(id="p1", birth_date=date(1960, 6, 15))
    assert patient.age_on(date(2025, 6, 14)) == 64
    assert patient.age_on(date(2025, 6, 15)) == 65


def test_patient_birth_date_in_future_is_rejected() -> None:
    with pytest.raises(ValidationError, match="in the future"):
        Patient(id="p1", birth_date=date(2999, 1, 1))
