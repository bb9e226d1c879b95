"""Treatment input: one patient from the records boundary; unread resources listed, not refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medlm.errors import InputError
from medlm.records import IngestReport, Patient, PatientRecord, Rejection
from medlm.treatment.inputs import patient_input, read_patient_document, read_patient_file


def _report(*records: PatientRecord, rejections: list[Rejection] | None = None) -> IngestReport:
    return IngestReport(records=list(records), rejections=rejections or [])


def _record(pid: str = "p1") -> PatientRecord:
    return PatientRecord(patient=Patient(id=pid, age=60))


def test_patient_record_json_is_read(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"patient": {"id": "p9", "sex": "female"}}))
    assert read_patient_file(path).record.patient.id == "p9"


def test_a_rejected_medication_is_listed_by_resource_field_and_value() -> None:
    rejection = Rejection(
        position=3,
        resource_id="mr1",
        resource_type="MedicationRequest",
        patient_id="p1",
        field="MedicationRequest.status",
        value="'bogus'",
        reason="not a FHIR R4 status",
    )
    given = patient_input(_report(_record(), rejections=[rejection]))
    assert given.unread == [
        "could not read MedicationRequest 'mr1' at entry 3 (MedicationRequest.status = 'bogus'): "
        "not a FHIR R4 status; not checked"
    ]


def test_rejections_of_types_treatment_does_not_read_or_of_other_patients_are_not_listed() -> None:
    others = [
        Rejection(resource_type="Claim", reason="x"),
        Rejection(resource_type="Observation", patient_id="p2", reason="x"),
    ]
    assert patient_input(_report(_record(), rejections=others)).unread == []


def test_several_patients_are_refused_naming_them() -> None:
    with pytest.raises(InputError, match=r"holds 2 patients \(p1, p2\)"):
        patient_input(_report(_record("p1"), _record("p2")))


def test_no_readable_patient_is_refused_with_the_patient_rejection() -> None:
    bad = Rejection(
        resource_type="Patient",
        resource_id="p1",
        field="Patient.birthDate",
        reason="not a date",
    )
    with pytest.raises(InputError, match=r"no readable patient: .*Patient\.birthDate: not a date"):
        patient_input(_report(rejections=[bad]))


def test_an_empty_report_says_there_is_no_patient() -> None:
    with pytest.raises(InputError, match="no Patient resource"):
        patient_input(_report())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "patient": {"id": "p1"},
                "observations": [
                    {"patient_id": "p2", "code": {"system": "http://loinc.org", "code": "62238-1"}}
                ],
            },
            "belongs to patient 'p2'",
        ),
        ({"patient": {"id": "p1", "sex": "robot"}}, "patient.sex"),
    ],
)
def test_a_bad_patient_record_is_refused_naming_the_field(data: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_patient_document(data)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_patient_file(tmp_path / "nope.json")
