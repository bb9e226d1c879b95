"""Recent-trend fit of CGM readings: the rate of change and the predictive low.

Both fit a straight line by least squares to the readings of the last few minutes (the fit
window ends at the newest reading). The predictive low projects that line `horizon` ahead and
reports when it crosses below 70 mg/dL (ADA level 1 hypoglycaemia) while the newest reading is
still at or above it; window and horizon are medlm choices (knowledge/glucose/thresholds.yaml),
and the glucose benchmark measures the prediction's sensitivity and lead time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel

from medlm.knowledge.glucose import GlucoseThresholds, load_glucose_thresholds
from medlm.monitor.glucose.readings import GlucoseReading


class TrendFit(BaseModel):
    """A least-squares line through recent readings, evaluated at the newest reading."""

    time: datetime
    fitted_mg_dl: float
    slope_mg_dl_per_min: float
    readings: int


class PredictedLow(BaseModel):
    """A projected crossing below the threshold within the horizon."""

    patient_id: str
    time: datetime
    current_mg_dl: float
    slope_mg_dl_per_min: float
    projected_mg_dl: float
    threshold_mg_dl: float
    minutes_to_threshold: float
    horizon_minutes: float
    readings_used: int


def trend(
    readings: Sequence[GlucoseReading], *, window: timedelta, min_readings: int = 3
) -> TrendFit | None:
    """The line through the readings within `window` before the newest one (inclusive), or None
    with fewer than `min_readings` distinct times or a window spanning under half of `window`."""
    if not readings:
        return None
    newest = max(r.time for r in readings)
    recent = {r.time: r.mg_dl for r in readings if newest - window <= r.time <= newest}
    if len(recent) < min_readings or newest - min(recent) < window / 2:
        return None
    xs = [(t - newest).total_seconds() / 60 for t in recent]  # minutes, newest at 0
    ys = list(recent.values())
    x_mean, y_mean = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - x_mean) ** 2 for x in xs)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)) / sxx
    return TrendFit(
        time=newest,
        fitted_mg_dl=y_mean - slope * x_mean,
        slope_mg_dl_per_min=slope,
        readings=len(recent),
    )


def predict_low(
    readings: Sequence[GlucoseReading],
    horizon: timedelta | None = None,
    *,
    thresholds: GlucoseThresholds | None = None,
) -> PredictedLow | None:
    """A predicted low for one patient's recent CGM readings, or None.

    None when there is too little recent data, the trend is not falling, the newest reading is
    already below the threshold (the threshold alert's business), or the projection at
    `horizon` (default 30 minutes) stays at or above the threshold."""
    rule = (thresholds or load_glucose_thresholds()).predicted_low
    horizon = horizon or timedelta(minutes=rule.horizon_minutes)
    fit = trend(
        readings, window=timedelta(minutes=rule.fit_minutes), min_readings=rule.min_readings
    )
    if fit is None or fit.slope_mg_dl_per_min >= 0:
        return None
    newest = max(readings, key=lambda r: r.time)
    minutes = horizon.total_seconds() / 60
    projected = fit.fitted_mg_dl + fit.slope_mg_dl_per_min * minutes
    if newest.mg_dl < rule.below or projected >= rule.below:
        return None
    to_threshold = max(0.0, (fit.fitted_mg_dl - rule.below) / -fit.slope_mg_dl_per_min)
    return PredictedLow(
        patient_id=newest.patient_id,
        time=newest.time,
        current_mg_dl=newest.mg_dl,
        slope_mg_dl_per_min=fit.slope_mg_dl_per_min,
        projected_mg_dl=projected,
        threshold_mg_dl=rule.below,
        minutes_to_threshold=to_threshold,
        horizon_minutes=minutes,
        readings_used=fit.readings,
    )


def rapid_fall(
    readings: Sequence[GlucoseReading], *, thresholds: GlucoseThresholds | None = None
) -> TrendFit | None:
    """The trend when glucose is falling faster than the rapid-fall rate and the newest reading
    is at or below the rule's ceiling; otherwise None."""
    rule = (thresholds or load_glucose_thresholds()).rapid_fall
    fit = trend(readings, window=timedelta(minutes=rule.fit_minutes))
    if fit is None or fit.slope_mg_dl_per_min > -rule.mg_dl_per_min:
        return None
    newest = max(readings, key=lambda r: r.time)
    return fit if newest.mg_dl <= rule.at_or_below else None
