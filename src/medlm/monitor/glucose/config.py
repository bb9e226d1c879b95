"""`GlucoseSettings`: the glucose monitor's operating settings (intervals, clock skew, policy)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field


class GlucoseSettings(BaseModel):
    """How the glucose monitor runs; clinical thresholds are in knowledge/glucose, not here.

    These are operating choices of medlm, not guideline values: the CGM's nominal sampling
    interval, how large a gap still counts as consecutive readings, the clock-skew allowance for
    future-dated readings, how much history is kept, and the alert policy's re-notification
    interval and hysteresis.
    """

    model_config = ConfigDict(frozen=True)

    interval: timedelta = Field(
        default=timedelta(minutes=5), description="Nominal CGM sampling interval."
    )
    max_gap_factor: float = Field(
        default=2.0,
        gt=1,
        description="Readings further apart than this many intervals are not consecutive (a gap "
        "breaks an episode; in time-weighted metrics a reading stands for at most this long).",
    )
    clock_skew: timedelta = Field(
        default=timedelta(minutes=5),
        description="A reading timed after now plus this is rejected and never moves the clock.",
    )
    window: timedelta = Field(
        default=timedelta(hours=24),
        description="History kept per patient behind the newest reading (episodes, persistence).",
    )
    min_level: int = Field(
        default=1, ge=1, description="Lowest alert rank that alerts (1: level 1 hyperglycaemia)."
    )
    renotify_after: timedelta = Field(
        default=timedelta(hours=1),
        description="An unacknowledged alert is repeated after this long at the same level.",
    )
    deescalate_after: int = Field(
        default=2, ge=1, description="Consecutive lower readings before the level is lowered."
    )

    @property
    def max_gap(self) -> timedelta:
        return self.interval * self.max_gap_factor
