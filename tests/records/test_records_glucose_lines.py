"""Glucose JSON lines read into readings through the records boundary."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from medlm.knowledge.concepts import load_concepts
from medlm.records.glucose_lines import LINE_TYPE, read_glucose_items, read_glucose_lines

TIME = "2026-01-01T08:00:00Z"
AS_OF = datetime(2026, 1, 2, tzinfo=UTC)


def line(**values: Any) -> str:
    return json.dumps({"patient_id": "p1", "time": TIME, **values})


def test_mg_dl_is_kept_and_the_reading_carries_its_line_and_value_as_given() -> None:
    result = read_glucose_lines([line(glucose=112, unit="mg/dL")], as_of=AS_OF)
    assert result.report.rejections == []
    (reading,) = result.readings
    assert (reading.patient_id, reading.mg_dl, reading.source) == ("p1", 112.0, "unknown")
    assert (reading.reported, reading.origin) == ("112 mg/dL", "line1")
    assert reading.time == datetime(2026, 1, 1, 8, tzinfo=UTC)


def test_mmol_l_is_converted_through_the_concepts_cited_molar_mass() -> None:
    molar = load_concepts().observation("glucose").molar_mass
    assert molar is not None
    result = read_glucose_lines([line(glucose=3.0, unit="mmol/L")], as_of=AS_OF)
    assert result.readings[0].mg_dl == pytest.approx(3.0 * molar.effective_g_per_mol / 10)
    assert result.readings[0].reported == "3 mmol/L"


def test_the_given_source_kind_is_kept() -> None:
    result = read_glucose_lines([line(glucose=90, unit="mg/dL", source="cgm")], as_of=AS_OF)
    assert result.readings[0].source == "cgm"


@pytest.mark.parametrize("unit", ["mg/dl", "mmol/l", "g/L", "", None])
def test_a_unit_other_than_mg_dl_or_mmol_l_is_rejected_naming_line_field_and_value(
    unit: Any,
) -> None:
    result = read_glucose_lines(["", line(glucose=5.5, unit=unit)], as_of=AS_OF)
    assert result.readings == []
    (rejection,) = result.report.rejections
    assert (rejection.position, rejection.field, rejection.resource_type) == (2, "unit", LINE_TYPE)
    assert rejection.value == repr(unit)


def test_a_missing_unit_is_rejected_not_guessed() -> None:
    result = read_glucose_lines([json.dumps({"patient_id": "p1", "time": TIME, "glucose": 99})])
    assert result.readings == [] and result.report.rejections[0].field == "unit"


@pytest.mark.parametrize("value", ["high", True, [90], 0, -3, 10**400])
def test_a_glucose_that_is_not_a_positive_finite_number_is_rejected(value: Any) -> None:
    result = read_glucose_lines([line(glucose=value, unit="mg/dL")], as_of=AS_OF)
    assert result.readings == [] and result.report.rejections[0].field == "glucose"


def test_an_implausible_value_is_rejected_by_the_boundary_at_its_line() -> None:
    lines = [line(glucose=90, unit="mg/dL"), line(glucose=400, unit="mmol/L")]
    result = read_glucose_lines(lines, as_of=AS_OF)
    assert len(result.readings) == 1
    (rejection,) = result.report.rejections
    assert (rejection.position, rejection.field, rejection.value) == (2, "glucose", "400 mmol/L")
    assert "plausible" in rejection.reason
    assert result.report.counts[LINE_TYPE].model_dump() == {
        "accepted": 1,
        "rejected": 1,
        "held_back": 0,
    }


def test_a_reading_after_the_as_of_time_is_rejected_naming_time() -> None:
    future = line(glucose=90, unit="mg/dL", time="2026-01-03T08:00:00Z")
    result = read_glucose_lines([future], as_of=AS_OF)
    assert result.readings == []
    assert result.report.rejections[0].field == "time"
    assert result.report.rejections[0].position == 1


def test_a_time_without_zone_an_unknown_field_and_bad_json_are_each_one_rejection() -> None:
    lines = [
        line(glucose=90, unit="mg/dL", time="2026-01-01T08:00:00"),
        line(glucose=90, unit="mg/dL", name="Zebulon Quixote"),
        "{not json",
        "[1]",
        line(glucose=91, unit="mg/dL"),
    ]
    result = read_glucose_lines(lines, as_of=AS_OF)
    assert [r.position for r in result.report.rejections] == [1, 2, 3, 4]
    assert result.report.rejections[0].field == "time"
    assert result.report.rejections[1].field == "name"
    assert "Zebulon" not in result.report.rejections[1].reason
    assert all(r.resource_type == LINE_TYPE for r in result.report.rejections)
    assert [r.origin for r in result.readings] == ["line5"]


def test_an_unknown_source_kind_is_rejected() -> None:
    result = read_glucose_lines([line(glucose=90, unit="mg/dL", source="urine")], as_of=AS_OF)
    assert result.readings == [] and result.report.rejections[0].field == "source"


def test_items_carry_their_batch_positions_with_the_given_prefix() -> None:
    items = [(0, {"patient_id": "p1", "time": TIME, "glucose": 80, "unit": "mg/dL"})]
    result = read_glucose_items(items, prefix="readings.", as_of=AS_OF)
    assert result.readings[0].origin == "readings.0"


def test_readings_come_out_per_patient_in_time_order() -> None:
    lines = [
        line(glucose=90, unit="mg/dL", time="2026-01-01T09:00:00Z"),
        line(glucose=80, unit="mg/dL", time="2026-01-01T08:00:00Z"),
        line(glucose=70, unit="mg/dL", patient_id="p0"),
    ]
    result = read_glucose_lines(lines, as_of=AS_OF)
    assert [(r.patient_id, r.mg_dl) for r in result.readings] == [
        ("p0", 70.0),
        ("p1", 80.0),
        ("p1", 90.0),
    ]
