"""Trend fit, predictive low (projected below 70 within the horizon) and rapid fall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from medlm.monitor.glucose.predict import predict_low, rapid_fall, trend
from medlm.monitor.glucose.readings import GlucoseReading

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def line(start: float, per_min: float, n: int = 7) -> list[GlucoseReading]:
    """CGM readings every 5 minutes on a straight line."""
    return [
        GlucoseReading(
            patient_id="p",
            time=T0 + timedelta(minutes=5 * i),
            mg_dl=start + per_min * 5 * i,
            source="cgm",
        )
        for i in range(n)
    ]


def test_trend_recovers_the_slope_and_value_of_a_straight_line() -> None:
    fit = trend(line(150, -1.5), window=timedelta(minutes=20))
    assert fit is not None
    assert fit.slope_mg_dl_per_min == pytest.approx(-1.5)
    assert fit.fitted_mg_dl == pytest.approx(150 - 1.5 * 30)
    assert fit.readings == 5  # 10, 15, 20, 25 and 30 minutes


def test_a_fall_of_2_per_minute_from_125_is_predicted_low_in_about_27_minutes() -> None:
    readings = line(185, -2)  # newest 125 mg/dL at 30 min
    predicted = predict_low(readings, horizon=timedelta(minutes=30))
    assert predicted is not None
    assert predicted.current_mg_dl == pytest.approx(125)
    assert predicted.projected_mg_dl == pytest.approx(65)
    assert predicted.minutes_to_threshold == pytest.approx(27.5)
    assert predict_low(readings, horizon=timedelta(minutes=20)) is None  # 85 in 20 minutes


@pytest.mark.parametrize(
    ("start", "per_min", "n"),
    [
        (120, 0.0, 7),  # flat
        (80, 1.0, 7),  # rising
        (90, -1.0, 7),  # newest 60: already below 70, the threshold alert's business
        (150, -3.0, 2),  # too few readings for a fit
    ],
)
def test_no_predicted_low_without_a_falling_trend_above_the_threshold(
    start: float, per_min: float, n: int
) -> None:
    assert predict_low(line(start, per_min, n)) is None


def test_rapid_fall_needs_the_rate_and_a_value_at_or_below_180() -> None:
    assert rapid_fall(line(200, -2.5)) is not None  # newest 125
    assert rapid_fall(line(300, -2.5)) is None  # newest 225: a fall from hyperglycaemia
    assert rapid_fall(line(200, -1.5)) is None  # slower than 2 mg/dL/min
