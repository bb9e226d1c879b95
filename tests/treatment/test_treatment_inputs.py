"""Treatment input: PatientRecord JSON files and FHIR bundles, with clean errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from medlm.errors import InputError, ValidationError
from medlm.treatment.inputs import read_patient_file, record_from_json


def test_patient_record_json_is_read(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"patient": {"id": "p9", "sex": "female"}}))
    assert read_patient_file(path).patient.id == "p9"


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ([1, 2], InputError, "expected a JSON object"),
        (
            {
                "patient": {"id": "p1"},
                "observations": [
                    {"patient_id": "p2", "code": {"system": "http://loinc.org", "code": "62238-1"}}
                ],
            },
            ValidationError,
            "belongs to patient 'p2'",
        ),
        ({"patient": {"id": "p1", "sex": "robot"}}, ValidationError, "patient.sex"),
    ],
)
def test_bad_records_name_the_field(data: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        record_from_json(data)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_patient_file(tmp_path / "nope.json")


@pytest.mark.skipif(
    importlib.util.find_spec("medlm.records.fhir") is not None,
    reason="only without the FHIR reader",
)
def test_bundle_without_reader_says_what_is_missing() -> None:
    with pytest.raises(InputError, match="read_bundle"):
        record_from_json({"resourceType": "Bundle", "type": "collection"})
