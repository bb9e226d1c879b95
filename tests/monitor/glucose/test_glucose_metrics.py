"""Consensus CGM metrics (Battelino 2019) on hand-computed traces: bounds, gaps, duplicates."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest

from medlm.errors import InputError
from medlm.monitor.glucose.metrics import cgm_metrics, daily_metrics
from medlm.monitor.glucose.readings import GlucoseReading

T0 = datetime(2025, 3, 1, tzinfo=UTC)
FIVE = timedelta(minutes=5)


def trace(values: list[float], *, step: timedelta = FIVE, pid: str = "p1") -> list[GlucoseReading]:
    return [
        GlucoseReading(patient_id=pid, time=T0 + step * i, mg_dl=v, source="cgm")
        for i, v in enumerate(values)
    ]


def test_bounds_70_and_180_are_in_range_54_is_below_70_only_250_is_above_180_only() -> None:
    m = cgm_metrics(trace([70, 54, 180, 250]))
    assert m.time_in_range == 50.0  # 70 and 180
    assert m.time_below_70 == 25.0  # 54
    assert m.time_below_54 == 0.0
    assert m.time_above_180 == 25.0  # 250
    assert m.time_above_250 == 0.0


def test_values_just_past_each_bound_fall_on_the_other_side() -> None:
    m = cgm_metrics(trace([69.9, 53.9, 180.1, 250.1]))
    assert m.time_in_range == 0.0
    assert m.time_below_70 == 50.0
    assert m.time_below_54 == 25.0
    assert m.time_above_180 == 50.0
    assert m.time_above_250 == 25.0


def test_gmi_is_bergenstal_formula_of_the_mean() -> None:
    m = cgm_metrics(trace([100, 200, 150]))
    assert m.mean_mg_dl == 150.0
    assert m.gmi == pytest.approx(3.31 + 0.02392 * 150)


def test_cv_uses_the_sample_standard_deviation() -> None:
    m = cgm_metrics(trace([100, 200]))
    assert m.cv == pytest.approx(100 * math.sqrt(5000) / 150)  # sample SD 70.71, not 50
    assert cgm_metrics(trace([100])).cv is None


def test_duplicate_times_are_counted_once_keeping_the_first() -> None:
    readings = trace([60, 100, 100])
    repeat = readings[0].model_copy(update={"mg_dl": 300.0})
    m = cgm_metrics([*readings, repeat, readings[1]])
    assert m.readings == 3
    assert m.time_below_70 == pytest.approx(100 / 3)
    assert m.time_above_180 == 0.0
    assert m.sufficiency == 100.0


def test_a_gap_lowers_sufficiency_and_is_not_filled_in_time_weighted_ranges() -> None:
    # readings at 0, 5, 10 (low) then 60, 65 (in range): 5 readings in a 70-minute window
    readings = trace([60, 60, 60]) + [
        GlucoseReading(patient_id="p1", time=T0 + timedelta(minutes=m), mg_dl=120, source="cgm")
        for m in (60, 65)
    ]
    m = cgm_metrics(readings)
    assert m.readings == 5
    assert m.sufficiency == pytest.approx(100 * 5 / 14)
    assert m.time_below_70 == pytest.approx(60.0)  # by readings
    # by time: 5 + 5 + 10 (capped at 2 x 5 min, not 50) minutes low; 5 + 5 in range
    assert m.by_time is not None
    assert m.by_time.time_below_70 == pytest.approx(100 * 20 / 30)
    assert m.by_time.time_in_range == pytest.approx(100 * 10 / 30)


def test_window_keeps_only_readings_inside_and_counts_expected_readings_over_it() -> None:
    readings = trace([100] * 12)  # one hour
    m = cgm_metrics(readings, start=T0, end=T0 + timedelta(hours=2))
    assert m.readings == 12
    assert m.sufficiency == pytest.approx(50.0)
    inside = cgm_metrics(readings, start=T0 + timedelta(minutes=30), end=T0 + timedelta(hours=1))
    assert inside.readings == 6


def test_sufficiency_is_capped_at_100_when_sampled_faster_than_nominal() -> None:
    m = cgm_metrics(trace([100] * 10, step=timedelta(minutes=1)))
    assert m.sufficiency == 100.0


def test_an_empty_window_has_no_percentages_and_zero_sufficiency() -> None:
    m = cgm_metrics(trace([100]), start=T0 + timedelta(hours=1), end=T0 + timedelta(hours=2))
    assert m.readings == 0
    assert m.time_in_range is None and m.mean_mg_dl is None
    assert m.sufficiency == 0.0


def test_readings_of_two_patients_are_refused_naming_them() -> None:
    with pytest.raises(InputError, match="p1, p2"):
        cgm_metrics(trace([100]) + trace([100], pid="p2"))


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InputError, match="before it starts"):
        cgm_metrics(trace([100]), start=T0, end=T0 - FIVE)


def test_daily_metrics_cover_each_calendar_day_from_midnight_to_midnight() -> None:
    readings = trace([100] * 288 + [60] * 144)  # one full day, then half a day low
    days = daily_metrics(readings)
    assert list(days) == [date(2025, 3, 1), date(2025, 3, 2)]
    first, second = days[date(2025, 3, 1)], days[date(2025, 3, 2)]
    assert (first.readings, first.sufficiency, first.time_in_range) == (288, 100.0, 100.0)
    assert (second.readings, second.sufficiency, second.time_below_70) == (144, 50.0, 100.0)


def fourteen_day_trace() -> list[GlucoseReading]:
    """SYNTHETIC: 14 days at 5 minutes; a daily swing 55-265 mg/dL, exact bound values placed
    every few hours, a two-hour dropout on day 3 and repeated readings on day 5."""
    values = []
    for i in range(14 * 288):
        v = 160 + 105 * math.sin(2 * math.pi * i / 288) + 7 * math.sin(i / 7)
        values.append(round(v, 1))
    for i in range(0, len(values), 37):
        values[i] = (70, 54, 180, 250)[(i // 37) % 4]
    readings = trace(values)
    dropout = set(range(3 * 288 + 100, 3 * 288 + 124))
    kept = [r for i, r in enumerate(readings) if i not in dropout]
    return kept + kept[5 * 288 : 5 * 288 + 10]


def direct(readings: list[GlucoseReading]) -> dict[str, float]:
    """The consensus definitions, computed directly on the unique readings."""
    values = [r.mg_dl for r in {r.time: r for r in reversed(readings)}.values()]
    n = len(values)
    return {
        "time_in_range": 100 * sum(70 <= v <= 180 for v in values) / n,
        "time_below_70": 100 * sum(v < 70 for v in values) / n,
        "time_below_54": 100 * sum(v < 54 for v in values) / n,
        "time_above_180": 100 * sum(v > 180 for v in values) / n,
        "time_above_250": 100 * sum(v > 250 for v in values) / n,
        "mean_mg_dl": statistics.fmean(values),
        "readings": n,
    }


def test_fourteen_day_trace_matches_the_consensus_definitions_within_a_tenth_point() -> None:
    readings = fourteen_day_trace()
    m = cgm_metrics(readings)
    expected = direct(readings)
    for key, value in expected.items():
        assert getattr(m, key) == pytest.approx(value, abs=0.1), key
    assert m.readings == 14 * 288 - 24
    assert m.sufficiency == pytest.approx(100 * (14 * 288 - 24) / (14 * 288))
    assert 0 < m.time_below_54 < m.time_below_70  # the trace reaches every range
    assert 0 < m.time_above_250 < m.time_above_180
