"""Inputs: JSON lines with explicit degF conversion, FHIR R4 Observations incl. the BP panel."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medlm.errors import InputError, ValidationError
from medlm.monitor.inputs import (
    fahrenheit_to_celsius,
    observations_from_fhir,
    parse_json_line,
    vitals_from_observations,
)

TIME = "2026-01-01T08:00:00Z"


def fhir(rid: str, code: str, value: float, unit: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": TIME,
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org",
                          "code": unit},
    }  # fmt: skip


def bp_panel(systolic: float, diastolic: float) -> dict[str, Any]:
    def component(code: str, value: float) -> dict[str, Any]:
        return {
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "valueQuantity": {"value": value, "unit": "mmHg", "code": "mm[Hg]",
                              "system": "http://unitsofmeasure.org"},
        }  # fmt: skip

    return {
        "resourceType": "Observation",
        "id": "bp",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": TIME,
        "component": [component("8480-6", systolic), component("8462-4", diastolic)],
    }


def test_fhir_observations_with_bp_panel_become_one_set() -> None:
    resources = [
        fhir("rr", "9279-1", 22, "/min"),
        fhir("hr", "8867-4", 112, "/min"),
        fhir("sat", "59408-5", 95, "%"),
        fhir("temp", "8310-5", 101.1, "[degF]"),
        bp_panel(105, 70),
    ]
    sets, rejected = vitals_from_observations(observations_from_fhir(resources))
    assert rejected == [] and len(sets) == 1
    vitals = sets[0]
    assert (vitals.patient_id, vitals.systolic_bp, vitals.heart_rate) == ("p1", 105, 112)
    assert vitals.temperature_c == 38.4  # 101.1 degF converted explicitly
    assert vitals.on_oxygen is None and vitals.consciousness is None


def test_fhir_unknown_unit_is_rejected_with_reason() -> None:
    obs = observations_from_fhir([fhir("t", "8310-5", 310, "K")])
    sets, rejected = vitals_from_observations(obs)
    assert sets == [] and "unit 'K'" in rejected[0].reason


def test_fhir_non_vital_code_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="not vital signs"):
        observations_from_fhir([fhir("g", "2339-0", 5.5, "mmol/L")])


@pytest.mark.parametrize(("fahrenheit", "celsius"), [(98.6, 37.0), (95.0, 35.0), (102.2, 39.0)])
def test_fahrenheit_to_celsius(fahrenheit: float, celsius: float) -> None:
    assert fahrenheit_to_celsius(fahrenheit) == celsius


def test_json_line_accepts_temperature_f_and_converts_it() -> None:
    vitals = parse_json_line(f'{{"patient_id":"p","time":"{TIME}","temperature_f":100.4}}', 1)
    assert vitals.temperature_c == 38.0


def test_json_line_without_time_zone_is_refused_naming_the_field() -> None:
    with pytest.raises(InputError, match="time"):
        parse_json_line('{"patient_id":"p","time":"2026-01-01T08:00:00"}', 3)


@pytest.mark.parametrize("value", ["hot", [98.6], True, 10**400, None])
def test_json_line_rejects_a_temperature_f_that_is_not_a_finite_number(value: Any) -> None:
    line = json.dumps({"patient_id": "p1", "time": "2026-01-01T08:00:00Z", "temperature_f": value})
    if value is None:
        assert parse_json_line(line, 3).temperature_c is None
        return
    with pytest.raises(ValidationError, match=r"line 3 .*temperature_f") as info:
        parse_json_line(line, 3)
    assert info.value.field == "temperature_f"
    assert info.value.record == "p1"


def test_json_line_rejects_an_infinite_temperature_f() -> None:
    line = '{"patient_id": "p1", "time": "2026-01-01T08:00:00Z", "temperature_f": Infinity}'
    with pytest.raises(ValidationError, match="finite number"):
        parse_json_line(line, 1)
