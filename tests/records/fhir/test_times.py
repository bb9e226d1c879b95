"""FHIR date and dateTime text: times a UTC clock cannot hold are refused, not crashed on."""

from __future__ import annotations

import pytest

from medlm.records.fhir.times import parse_datetime
from medlm.records.read import read_document


@pytest.mark.parametrize("text", ["9999-12-31T23:30:00-01:00", "0001-01-01T00:00:00+01:00"])
def test_a_time_outside_the_utc_range_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="outside the range"):
        parse_datetime(text)


def test_a_bundle_with_a_year_9999_reading_rejects_that_reading_only() -> None:
    patient = {"resourceType": "Patient", "id": "p1", "birthDate": "1950-01-01"}
    reading = {
        "resourceType": "Observation",
        "id": "hr",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "9999-12-31T23:30:00-01:00",
        "valueQuantity": {"value": 80, "unit": "/min", "system": "http://unitsofmeasure.org"},
    }
    bundle = {"resourceType": "Bundle", "type": "collection"}
    bundle["entry"] = [{"resource": patient}, {"resource": reading}]
    report = read_document(bundle)
    assert report.patients == 1 and not report.records[0].observations
    assert [r.field for r in report.rejections] == ["Observation.effectiveDateTime"]
