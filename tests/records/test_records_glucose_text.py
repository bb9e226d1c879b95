"""Glucose text input: a FHIR Bundle, one FHIR Observation, or JSON lines, told apart by shape;
and the CGM implementation guide's codes in the glucose value set."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from medlm.knowledge.concepts import load_concepts
from medlm.records.coding import CodeSystem
from medlm.records.glucose_lines import read_glucose_text

AS_OF = datetime(2024, 6, 1, tzinfo=UTC)


def cgm(oid: str, code: str, value: float, unit: str, when: str) -> dict[str, object]:
    """A sensor reading laid out as in the HL7 CGM implementation guide 1.0.0 (STU 1) examples,
    https://hl7.org/fhir/uv/cgm/ (Observation cgmSensorReadingMassPerVolumeExample)."""
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": "Patient/patientExample"},
        "effectiveDateTime": when,
        "valueQuantity": {
            "value": value, "unit": unit.lower(), "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }  # fmt: skip


@pytest.mark.parametrize(("code", "unit"), [("99504-3", "mg/dL"), ("105272-9", "mmol/L")])
def test_the_cgm_guides_reading_codes_are_glucose_codes_in_their_unit(code: str, unit: str) -> None:
    concept = load_concepts().observation("glucose")
    assert code in {c.code for c in concept.codes if c.uri == CodeSystem.LOINC.value}
    assert unit in concept.units


def test_a_bundle_is_read_as_fhir() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": cgm("a", "99504-3", 120, "mg/dL", "2024-05-02T10:15:00Z")},
            {"resource": cgm("b", "105272-9", 6.7, "mmol/L", "2024-05-02T10:30:00Z")},
            {"resource": {"resourceType": "Patient", "id": "patientExample"}},
        ],
    }
    result = read_glucose_text(json.dumps(bundle), as_of=AS_OF)
    assert [(r.origin, r.source) for r in result.readings] == [("a", "cgm"), ("b", "cgm")]
    assert result.readings[1].mg_dl == pytest.approx(120.7, abs=0.1)


def test_one_observation_is_read_as_fhir() -> None:
    text = json.dumps(cgm("a", "99504-3", 120, "mg/dL", "2024-05-02T10:15:00Z"), indent=2)
    (reading,) = read_glucose_text(text, as_of=AS_OF).readings
    assert (reading.patient_id, reading.mg_dl) == ("patientExample", 120.0)


def test_json_lines_are_read_line_by_line() -> None:
    lines = [
        {"patient_id": "p1", "time": "2024-05-02T10:15:00Z", "glucose": 5.0, "unit": "mmol/L"},
        {"patient_id": "p1", "time": "2024-05-02T10:20:00Z", "glucose": 90, "unit": "mg/dL"},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    result = read_glucose_text(text, as_of=AS_OF)
    assert [r.origin for r in result.readings] == ["line1", "line2"]
    assert [r.position for r in result.report.rejections] == [3]
