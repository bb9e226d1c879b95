"""Per-patient vital-sign streams: merge readings into sets, score, trend and baseline.

`VitalSignMonitor` keeps, for each patient, only the sets inside a time window behind the
newest one, so its memory is bounded by the window however long the stream runs. Readings are
idempotent by (patient, time, parameter): a repeat is a duplicate, a different value for the
same key is a conflict that is reported, not applied. A set timed later than now plus the
clock-skew allowance is rejected and never moves the patient's clock: one future-dated set would
otherwise make every real set after it "late".
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from medlm.knowledge.early_warning import (
    News2Table,
    PlausibilityTable,
    load_news2,
    load_plausibility,
)
from medlm.monitor.scoring import News2Result, score_news2
from medlm.monitor.vitals import VitalSigns, check_plausible
from medlm.records import Rejection

Status = Literal["new", "updated", "duplicate", "late"]


class Assessment(BaseModel):
    """The monitor's view of one set after a reading arrived."""

    model_config = ConfigDict(frozen=True)

    patient_id: str
    time: datetime
    status: Status
    news2: News2Result
    trend_rise: int | None = None
    rising: bool = False
    baseline_total: float | None = None
    deviation: float | None = None
    encounter_class: str | None = Field(
        default=None, description="FHIR Encounter.class code of the set (IMP in-patient, AMB)."
    )


@dataclass
class _Patient:
    sets: dict[datetime, dict[str, Any]] = field(default_factory=dict)
    scores: dict[datetime, News2Result] = field(default_factory=dict)
    newest: datetime | None = None


class VitalSignMonitor:
    """Per-patient state: latest score, trend over `trend_window`, baseline over `window`."""

    def __init__(
        self,
        *,
        window: timedelta = timedelta(hours=24),
        trend_window: timedelta = timedelta(hours=6),
        trend_rise: int = 2,
        table: News2Table | None = None,
        limits: PlausibilityTable | None = None,
        clock_skew: timedelta = timedelta(minutes=5),
    ) -> None:
        self.window = window
        self.clock_skew = clock_skew
        self.trend_window = trend_window
        self.trend_rise = trend_rise
        self._table = table or load_news2()
        self._limits = limits or load_plausibility()
        self._patients: dict[str, _Patient] = {}

    def ingest(
        self, vitals: VitalSigns, now: datetime | None = None
    ) -> tuple[Assessment | None, list[Rejection]]:
        """Add one set (or part of one); returns its assessment and any rejected values.

        A set timed after `now` (default: the current time) plus the clock-skew allowance has
        no assessment: it is rejected whole and the patient's state is left as it was."""
        future = self._future(vitals, now or datetime.now(UTC))
        if future is not None:
            return None, [future]
        clean, rejected = check_plausible(vitals, self._limits)
        state = self._patients.setdefault(vitals.patient_id, _Patient())
        merged = state.sets.get(vitals.time)
        is_new = merged is None
        merged = dict(merged or {})
        changed = False
        for name, value in clean.present().items():
            if name not in merged:
                merged[name] = value
                changed = True
            elif merged[name] != value:
                rejected.append(self._conflict(vitals, name, value, merged[name]))
        merged["spo2_scale"] = clean.spo2_scale
        late = state.newest is not None and vitals.time < state.newest
        if changed or is_new:
            state.sets[vitals.time] = merged
            state.scores[vitals.time] = score_news2(
                VitalSigns(patient_id=vitals.patient_id, time=vitals.time, **merged), self._table
            )
        status: Status = (
            "duplicate" if not changed and not is_new else "late" if late else
            "new" if is_new else "updated"
        )  # fmt: skip
        if not late:
            state.newest = vitals.time
            self._prune(state)
        return self._assess(vitals.patient_id, state, vitals.time, status), rejected

    @property
    def table(self) -> News2Table:
        """The NEWS2 table this monitor scores with."""
        return self._table

    def latest(self, patient_id: str) -> News2Result | None:
        """The newest complete NEWS2 of a patient, if any."""
        state = self._patients.get(patient_id)
        if state is None:
            return None
        complete = [(t, s) for t, s in state.scores.items() if s.total is not None]
        return max(complete, key=lambda ts: ts[0])[1] if complete else None

    def forget(self, patient_id: str) -> None:
        """Drop a patient's window (before rebuilding it from stored readings)."""
        self._patients.pop(patient_id, None)

    def load(
        self, patient_id: str, sets: Iterable[VitalSigns], now: datetime | None = None
    ) -> None:
        """Replace a patient's window with stored sets: the state `ingest` leaves after the same
        sets, built without assessing each one (sets timed in the future are left out)."""
        now = now or datetime.now(UTC)
        state = _Patient()
        for vitals in sets:
            if vitals.patient_id != patient_id or self._future(vitals, now) is not None:
                continue
            clean, _ = check_plausible(vitals, self._limits)
            merged = state.sets.setdefault(vitals.time, {})
            for name, value in clean.present().items():
                merged.setdefault(name, value)
            merged["spo2_scale"] = clean.spo2_scale
            state.newest = vitals.time if state.newest is None else max(state.newest, vitals.time)
        self._patients.pop(patient_id, None)
        if state.newest is None:
            return
        self._prune(state)
        for time, merged in state.sets.items():
            scored = VitalSigns(patient_id=patient_id, time=time, **merged)
            state.scores[time] = score_news2(scored, self._table)
        self._patients[patient_id] = state

    def state_size(self) -> int:
        """Number of sets held in memory over all patients (bounded by the window)."""
        return sum(len(p.sets) for p in self._patients.values())

    def _future(self, vitals: VitalSigns, now: datetime) -> Rejection | None:
        try:
            latest = now + self.clock_skew
        except OverflowError:
            return None  # an allowance past year 9999 admits every time
        if vitals.time <= latest:
            return None
        return Rejection(
            patient_id=vitals.patient_id,
            time=vitals.time,
            field="time",
            value=vitals.time.isoformat(),
            reason=f"set of {vitals.patient_id} is timed {vitals.time.isoformat()}, after now "
            f"({now.astimezone(UTC).isoformat(timespec='seconds')}) plus the clock-skew allowance "
            f"of {self.clock_skew.total_seconds() / 60:g} min; not scored",
        )

    def _conflict(self, vitals: VitalSigns, name: str, value: Any, kept: Any) -> Rejection:
        return Rejection(
            patient_id=vitals.patient_id,
            time=vitals.time,
            field=name,
            value=str(value),
            reason=f"{name}={value} conflicts with {kept} already recorded for "
            f"{vitals.patient_id} at {vitals.time.isoformat()}; the first value is kept",
        )

    def _prune(self, state: _Patient) -> None:
        assert state.newest is not None
        cutoff = state.newest - self.window
        for time in [t for t in state.sets if t < cutoff]:
            del state.sets[time]
            state.scores.pop(time, None)

    def _assess(self, pid: str, state: _Patient, time: datetime, status: Status) -> Assessment:
        result = state.scores[time] if time in state.scores else score_news2(
            VitalSigns(patient_id=pid, time=time, **state.sets.get(time, {})), self._table
        )  # fmt: skip
        earlier = [
            (t, s.total) for t, s in state.scores.items() if t < time and s.total is not None
        ]
        rise = baseline = deviation = None
        if result.total is not None and earlier:
            recent = [total for t, total in earlier if t >= time - self.trend_window]
            if recent:
                rise = result.total - min(recent)
            baseline = float(statistics.median(total for _, total in earlier))
            deviation = result.total - baseline
        return Assessment(
            patient_id=pid,
            time=time,
            status=status,
            news2=result,
            trend_rise=rise,
            rising=rise is not None and rise >= self.trend_rise,
            baseline_total=baseline,
            deviation=deviation,
            encounter_class=state.sets.get(time, {}).get("encounter_class"),
        )
