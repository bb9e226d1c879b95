"""Glucose episodes: runs of consecutive readings beyond a bound, lasting at least a duration.

A CGM episode (Danne 2017: at least 15 consecutive minutes) is a run of readings that all meet
the bound, with no two neighbours further apart than `max_gap` (a gap in the data ends the run:
minutes without readings are never assumed to meet the bound). Its duration is the time observed
from the run's first reading to its last, so at 5-minute sampling four readings (0, 5, 10 and 15
minutes) make the first 15-minute episode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel

from medlm.monitor.glucose.readings import GlucoseReading, GlucoseSource


class GlucoseEpisode(BaseModel):
    """One episode of one patient: first and last reading of the run, its extreme value."""

    patient_id: str
    start: datetime
    end: datetime
    readings: int
    nadir_mg_dl: float
    peak_mg_dl: float

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def run_back(
    readings: Sequence[GlucoseReading],
    meets: Callable[[float], bool],
    *,
    max_gap: timedelta,
    source: GlucoseSource | None = None,
) -> list[GlucoseReading]:
    """The run of consecutive readings meeting `meets` that ends at the last reading (time
    order), or [] when the last reading does not meet it; with `source`, readings of other
    sources are passed over."""
    run: list[GlucoseReading] = []
    for reading in reversed(readings):
        if source is not None and reading.source != source:
            continue
        if not meets(reading.mg_dl) or (run and run[-1].time - reading.time > max_gap):
            break
        run.append(reading)
    return run[::-1]


def episodes(
    readings: Sequence[GlucoseReading],
    meets: Callable[[float], bool],
    *,
    min_duration: timedelta = timedelta(minutes=15),
    max_gap: timedelta = timedelta(minutes=10),
) -> list[GlucoseEpisode]:
    """All episodes of one patient's readings (any order; same-time repeats counted once)
    where consecutive readings meet `meets` for at least `min_duration`.

    >>> from datetime import UTC
    >>> t0 = datetime(2025, 1, 1, tzinfo=UTC)
    >>> low = [GlucoseReading(patient_id="p", time=t0 + timedelta(minutes=5 * i), mg_dl=50)
    ...        for i in range(5)]
    >>> [e.duration for e in episodes(low, lambda v: v < 54)]
    [datetime.timedelta(seconds=1200)]
    """
    unique = sorted({r.time: r for r in reversed(readings)}.values(), key=lambda r: r.time)
    found: list[GlucoseEpisode] = []
    run: list[GlucoseReading] = []
    for reading in [*unique, None]:
        breaks = reading is None or not meets(reading.mg_dl)
        if not breaks and run and reading is not None and reading.time - run[-1].time > max_gap:
            breaks = True
        if breaks and run:
            if run[-1].time - run[0].time >= min_duration:
                found.append(_episode(run))
            run = []
        if reading is not None and meets(reading.mg_dl):
            run.append(reading)
    return found


def _episode(run: list[GlucoseReading]) -> GlucoseEpisode:
    values = [r.mg_dl for r in run]
    return GlucoseEpisode(
        patient_id=run[0].patient_id,
        start=run[0].time,
        end=run[-1].time,
        readings=len(run),
        nadir_mg_dl=min(values),
        peak_mg_dl=max(values),
    )
