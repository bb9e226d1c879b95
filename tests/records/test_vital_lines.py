"""Vital-sign JSON lines and loose FHIR Observations read into records at the boundary."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medlm.records.vital_lines import (
    SET_TYPE,
    read_observation_resources,
    read_vital_items,
    read_vital_lines,
)

TIME = "2026-01-01T08:00:00Z"


def line(**values: Any) -> str:
    return json.dumps({"patient_id": "p1", "time": TIME, **values})


def test_a_line_becomes_loinc_coded_observations_in_ucum_grouped_as_one_set() -> None:
    report = read_vital_lines([line(respiratory_rate=22, heart_rate=112, systolic_bp=105)])
    assert report.rejections == [] and len(report.records) == 1
    observations = report.records[0].observations
    assert {(o.code.code, o.unit, o.concept) for o in observations} == {
        ("9279-1", "/min", "respiratory_rate"),
        ("8867-4", "/min", "heart_rate"),
        ("8480-6", "mm[Hg]", "systolic_bp"),
    }
    assert {o.group for o in observations} == {"line1"}


def test_temperature_f_is_recorded_in_degf_and_converted_to_celsius_by_the_boundary() -> None:
    report = read_vital_lines([line(temperature_f=100.4)])
    temperature = report.records[0].latest_of("body_temperature")
    assert temperature is not None
    assert (temperature.original_value, temperature.original_unit) == (100.4, "[degF]")
    assert temperature.unit == "Cel" and temperature.value == pytest.approx(38.0)


def test_consciousness_oxygen_and_scale_are_kept_as_coded_values() -> None:
    report = read_vital_lines([line(consciousness="V", on_oxygen=True, spo2=90, spo2_scale=2)])
    record = report.records[0]
    assert record.latest_of("consciousness").value_text == "V"  # type: ignore[union-attr]
    assert record.latest_of("supplemental_oxygen").value_bool is True  # type: ignore[union-attr]
    assert record.latest_of("news2_spo2_scale").value_text == "2"  # type: ignore[union-attr]


def test_bad_lines_are_rejected_at_their_line_and_the_rest_is_read() -> None:
    lines = [line(heart_rate=80), "{not json", "", line(consciousness="X"), "[1]"]
    report = read_vital_lines(lines)
    assert [r.position for r in report.rejections] == [2, 4, 5]
    assert all(r.resource_type == SET_TYPE for r in report.rejections)
    assert report.rejections[1].field == "consciousness" and "'X'" in report.rejections[1].reason
    assert len(report.records) == 1


@pytest.mark.parametrize("value", ["hot", [98.6], True, 10**400])
def test_a_temperature_f_that_is_not_a_finite_number_is_rejected_naming_it(value: Any) -> None:
    report = read_vital_lines([line(temperature_f=value)])
    assert report.records == []
    assert report.rejections[0].field == "temperature_f" and report.rejections[0].position == 1


def test_a_time_without_zone_is_rejected_naming_the_field() -> None:
    report = read_vital_lines([line(time="2026-01-01T08:00:00", heart_rate=80)])
    assert report.rejections[0].field == "time" and "time zone" in report.rejections[0].reason


@pytest.mark.parametrize("time", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"])
def test_a_time_outside_utc_range_is_a_rejection_not_an_overflow(time: str) -> None:
    report = read_vital_lines([line(time=time, heart_rate=80)])
    assert report.records == [] and "range" in report.rejections[0].reason


def test_an_unknown_field_is_named_without_echoing_its_value() -> None:
    report = read_vital_lines([line(name="Zebulon Quixote", heart_rate=80)])
    rejection = report.rejections[0]
    assert rejection.field == "name" and rejection.value is None
    assert "Zebulon" not in rejection.reason


def test_a_set_without_any_value_is_rejected() -> None:
    report = read_vital_lines([line(spo2_scale=1)])
    assert report.records == [] and "no vital-sign values" in report.rejections[0].reason


def test_both_temperatures_in_one_set_are_rejected() -> None:
    report = read_vital_lines([line(temperature_c=37.0, temperature_f=98.6)])
    assert report.records == [] and "not both" in report.rejections[0].reason


def test_an_implausible_value_is_refused_at_its_line_by_field_name() -> None:
    report = read_vital_items([(0, json.loads(line(heart_rate=400, spo2=97)))], prefix="vitals")
    rejection = report.rejections[0]
    assert (rejection.position, rejection.field, rejection.resource_type) == (
        0, "heart_rate", "Observation",
    )  # fmt: skip
    assert report.records[0].latest_of("spo2") is not None


def test_loose_fhir_observations_are_read_by_their_patient_reference() -> None:
    resource = {
        "resourceType": "Observation", "id": "hr", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": "Patient/p9"}, "effectiveDateTime": TIME,
        "valueQuantity": {"value": 88, "unit": "/min", "system": "http://unitsofmeasure.org",
                          "code": "/min"},
    }  # fmt: skip
    bad = {**resource, "id": "x", "subject": {"reference": "Group/1"}}
    report = read_observation_resources([bad, resource, {"resourceType": "Patient"}])
    assert [r.patient.id for r in report.records] == ["p9"]
    assert [(r.position, r.field) for r in report.rejections] == [
        (0, "Observation.subject.reference"), (2, "resourceType"),
    ]  # fmt: skip
