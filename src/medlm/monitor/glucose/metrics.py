"""Consensus CGM metrics (Battelino 2019): time in ranges, mean, GMI, CV and data sufficiency."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from pydantic import BaseModel

from medlm.monitor.glucose.readings import GlucoseReading


class CgmMetrics(BaseModel):
    """Metrics over one window; percentages are 0-100 of the valid readings."""

    start: datetime | None
    end: datetime | None
    readings: int
    time_in_range: float | None
    time_below_70: float | None
    time_below_54: float | None
    time_above_180: float | None
    time_above_250: float | None
    mean_mg_dl: float | None
    gmi: float | None
    cv: float | None
    sufficiency: float | None


def cgm_metrics(
    readings: Sequence[GlucoseReading],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    interval: timedelta = timedelta(minutes=5),
) -> CgmMetrics:
    """Metrics of one patient's readings in [start, end) (default: the readings' own span)."""
    raise NotImplementedError


def daily_metrics(
    readings: Sequence[GlucoseReading], *, interval: timedelta = timedelta(minutes=5)
) -> dict[date, CgmMetrics]:
    """`cgm_metrics` per calendar day (in the readings' own time zone offset)."""
    raise NotImplementedError
