"""The glucose alert level of a reading, given the patient's readings up to it, and its text.

Levels and bounds come from knowledge/glucose/thresholds.yaml (ADA 2025 sections 6 and 16,
Battelino 2019), checked from the most urgent rank down. A point-of-care or laboratory value
reaches a level at once; a CGM reading only when the CGM readings have stayed beyond the bound
for at least 15 consecutive minutes (Danne 2017; see `episodes.run_back`). Persistent
hyperglycaemia needs repeated values at or above its bound over a span (a medlm choice, cited).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from pydantic import BaseModel

from medlm.knowledge.glucose import AlertLevel, GlucoseThresholds
from medlm.monitor.glucose.episodes import run_back
from medlm.monitor.glucose.readings import GlucoseReading, GlucoseSource

SOURCE_TEXT: dict[GlucoseSource, str] = {
    "cgm": "CGM",
    "capillary": "capillary (point of care)",
    "venous": "venous (laboratory)",
    "plasma": "serum/plasma (laboratory)",
    "blood": "blood (laboratory)",
    "unknown": "source not stated",
}


class GlucoseLevel(BaseModel):
    """A reading's level: `rank` 0 (no alert level) or the level's rank, and the text."""

    rank: int
    name: str | None
    description: str
    duration_minutes: float | None = None


def value_text(reading: GlucoseReading) -> str:
    """'glucose 50 mg/dL (2.8 mmol/L)': the value in mg/dL, and as reported when not mg/dL."""
    mg = reading.mg_dl
    text = f"glucose {mg:.0f} mg/dL" if float(mg).is_integer() else f"glucose {mg:.1f} mg/dL"
    if reading.reported and "mg/dl" not in reading.reported.lower():
        text += f" ({reading.reported})"
    return text


def classify(
    history: Sequence[GlucoseReading],
    reading: GlucoseReading,
    thresholds: GlucoseThresholds,
    *,
    max_gap: timedelta,
) -> GlucoseLevel:
    """The level of `reading`; `history` is the patient's readings in time order, up to and
    including `reading`."""
    for level in sorted(thresholds.levels, key=lambda lvl: -lvl.rank):
        if not level.contains(reading.mg_dl):
            continue
        if level.persistent:
            found = _persistent(history, level, thresholds, max_gap=max_gap)
        elif reading.source == "cgm":
            found = _cgm_episode(history, level, thresholds, max_gap=max_gap)
        else:
            found = 0.0
        if found is not None:
            return _level(reading, level, found)
    return GlucoseLevel(
        rank=0, name=None, description=f"{value_text(reading)}, {SOURCE_TEXT[reading.source]}"
    )


def _cgm_episode(
    history: Sequence[GlucoseReading],
    level: AlertLevel,
    thresholds: GlucoseThresholds,
    *,
    max_gap: timedelta,
) -> float | None:
    run = run_back(history, level.contains, max_gap=max_gap, source="cgm")
    minutes = (run[-1].time - run[0].time).total_seconds() / 60 if run else 0.0
    return minutes if run and minutes >= thresholds.cgm_episode_minutes else None


def _persistent(
    history: Sequence[GlucoseReading],
    level: AlertLevel,
    thresholds: GlucoseThresholds,
    *,
    max_gap: timedelta,
) -> float | None:
    """Minutes of repeated values at or above the bound (any source), or None if too few or
    too short. Point-of-care checks are hours apart, so no gap rule applies here."""
    rule = thresholds.persistent
    run = run_back(history, level.contains, max_gap=timedelta.max)
    if len(run) < rule.min_readings:
        return None
    minutes = (run[-1].time - run[0].time).total_seconds() / 60
    return minutes if minutes >= rule.min_span_minutes else None


def _level(reading: GlucoseReading, level: AlertLevel, minutes: float) -> GlucoseLevel:
    parts = [
        f"{value_text(reading)} {level.relation} ({level.cite.label})",
        SOURCE_TEXT[reading.source],
    ]
    if level.persistent:
        parts.append(f"at or above for {minutes / 60:.1f} h (span: medlm choice)")
    elif reading.source == "cgm":
        parts.append(f"{minutes:.0f} min")
    return GlucoseLevel(
        rank=level.rank,
        name=level.name,
        description=", ".join(parts),
        duration_minutes=minutes if reading.source == "cgm" or level.persistent else None,
    )
