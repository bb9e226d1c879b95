"""`GlucoseMonitor`: per-patient glucose streams through medlm's alert policy.

Each reading is placed in the patient's history (bounded by `GlucoseSettings.window` behind the
newest reading), given its level (`levels.classify`: ADA hypoglycaemia levels, hyperglycaemia,
persistent in-hospital hyperglycaemia; CGM levels only after 15 consecutive minutes) and passed
to the same `AlertPolicy` as vital signs (escalation, re-notification, acknowledgement,
hysteresis) as signal "glucose". New CGM readings are also checked for a rapid fall and a
predicted low (`predict.py`): each alerts at most once per re-notification interval and never
while a hypoglycaemia level is already alerted.

Readings are idempotent by (patient, time, source): a repeat is a duplicate, a different value for
the same key a conflict (the first is kept). A reading timed after now plus the clock-skew
allowance is rejected and changes nothing: it must not move the patient's clock. `restore`
rebuilds the state from stored readings without alerting.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from medlm.knowledge.glucose import GlucoseThresholds, load_glucose_thresholds
from medlm.monitor.alerts import AlertInput, AlertKind, AlertPolicy, AlertValue, VitalAlert
from medlm.monitor.glucose.config import GlucoseSettings
from medlm.monitor.glucose.levels import GlucoseLevel, classify, value_text
from medlm.monitor.glucose.predict import PredictedLow, TrendFit, predict_low, rapid_fall
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.monitor.glucose.units import in_unit, reported_value
from medlm.records import Rejection

GlucoseStatus = Literal["new", "late", "duplicate", "conflict", "future"]


class GlucoseAssessment(BaseModel):
    """The monitor's view of one reading: its status, level and any trend findings."""

    model_config = ConfigDict(frozen=True)

    reading: GlucoseReading
    status: GlucoseStatus
    level: GlucoseLevel | None = None
    predicted_low: PredictedLow | None = None
    falling: TrendFit | None = None
    rejection: Rejection | None = None


@dataclass
class _Patient:
    history: list[GlucoseReading] = field(default_factory=list)
    keys: list[tuple[datetime, str]] = field(default_factory=list)  # (time, source) of history
    newest: datetime | None = None
    sent: dict[str, datetime] = field(default_factory=dict)


def _key(r: GlucoseReading) -> tuple[datetime, str]:
    return (r.time, r.source)


class GlucoseMonitor:
    """Glucose readings of many patients in, `VitalAlert(signal="glucose")` out."""

    def __init__(
        self,
        settings: GlucoseSettings | None = None,
        *,
        thresholds: GlucoseThresholds | None = None,
        policy: AlertPolicy | None = None,
    ) -> None:
        self.settings = settings or GlucoseSettings()
        self.thresholds = thresholds or load_glucose_thresholds()
        self.policy = policy or AlertPolicy(
            min_level=self.settings.min_level,
            renotify_after=self.settings.renotify_after,
            deescalate_after=self.settings.deescalate_after,
            alert_on_rising=False,
        )
        self._patients: dict[str, _Patient] = {}

    def process(self, reading: GlucoseReading, now: datetime | None = None) -> list[VitalAlert]:
        """The alerts one reading raises (none for duplicates, conflicts and future readings)."""
        return self.ingest(reading, now)[1]

    def ingest(
        self, reading: GlucoseReading, now: datetime | None = None
    ) -> tuple[GlucoseAssessment, list[VitalAlert]]:
        """Assess one reading and run it through the policy; `now` defaults to the current time."""
        assessment = self.assess(reading, now)
        if assessment.level is None:
            return assessment, []
        alerts = self.policy.evaluate(
            AlertInput(
                patient_id=reading.patient_id,
                time=reading.time,
                signal="glucose",
                status="late" if assessment.status == "late" else "new",
                level=assessment.level.rank,
                level_name=assessment.level.name,
                description=assessment.level.description,
                response=assessment.level.name,
                measured=self._measured(reading, assessment.level),
            )
        )
        if assessment.status == "new":
            alerts += self._trend_alerts(assessment)
        return assessment, alerts

    def assess(self, reading: GlucoseReading, now: datetime | None = None) -> GlucoseAssessment:
        """Place a reading in its patient's history and give its level (no policy, no alerts)."""
        rejection = self._future(reading, now or datetime.now(UTC))
        if rejection is not None:
            return GlucoseAssessment(reading=reading, status="future", rejection=rejection)
        state = self._patients.setdefault(reading.patient_id, _Patient())
        keys = state.keys
        at = bisect.bisect_left(keys, _key(reading))
        if at < len(keys) and keys[at] == _key(reading):
            kept = state.history[at]
            if kept.mg_dl == reading.mg_dl:
                return GlucoseAssessment(reading=reading, status="duplicate")
            return GlucoseAssessment(
                reading=reading, status="conflict", rejection=_conflict(reading, kept)
            )
        state.history.insert(at, reading)
        keys.insert(at, _key(reading))
        late = state.newest is not None and reading.time < state.newest
        upto = state.history[: at + 1]
        level = classify(upto, reading, self.thresholds, max_gap=self.settings.max_gap)
        if late:
            return GlucoseAssessment(reading=reading, status="late", level=level)
        state.newest = reading.time
        self._prune(state)
        cgm = self._recent_cgm(state) if reading.source == "cgm" else []
        return GlucoseAssessment(
            reading=reading,
            status="new",
            level=level,
            predicted_low=predict_low(cgm, thresholds=self.thresholds) if cgm else None,
            falling=rapid_fall(cgm, thresholds=self.thresholds) if cgm else None,
        )

    def restore(self, readings: Iterable[GlucoseReading], now: datetime | None = None) -> int:
        """Rebuild the state from stored readings (time order, alerts discarded); returns how
        many were taken. Future-dated readings are skipped, as in `process`."""
        taken = 0
        for reading in sorted(readings, key=_key):
            assessment, _ = self.ingest(reading, now)
            taken += assessment.status in ("new", "late")
        return taken

    def acknowledge(self, patient_id: str) -> None:
        """Staff saw the glucose alert: no re-notification at this level until it escalates."""
        self.policy.acknowledge(patient_id, "glucose")

    def history(self, patient_id: str) -> list[GlucoseReading]:
        """The patient's readings held (time order)."""
        state = self._patients.get(patient_id)
        return list(state.history) if state else []

    def forget(self, patient_id: str) -> None:
        """Drop the patient's readings and trend-alert times (before reloading them)."""
        self._patients.pop(patient_id, None)

    def trend_sent(self, patient_id: str) -> dict[str, datetime]:
        """When each trend alert of the patient was last sent (empty for an unknown patient)."""
        state = self._patients.get(patient_id)
        return dict(state.sent) if state is not None else {}

    def set_trend_sent(self, patient_id: str, sent: dict[str, datetime]) -> None:
        """Take the times each trend alert was last sent (as stored by another process); nothing
        to do for a patient holding no readings (a trend alert needs them)."""
        state = self._patients.get(patient_id)
        if state is not None:
            state.sent = dict(sent)

    def state_size(self) -> int:
        """Readings held over all patients (bounded by the window)."""
        return sum(len(p.history) for p in self._patients.values())

    def _measured(
        self, reading: GlucoseReading, level: GlucoseLevel, bound_mg_dl: float | None = None
    ) -> AlertValue:
        """The reading and the bound it crossed (the level's, or `bound_mg_dl`) in the unit the
        reading was reported in, its sample source and how long it stayed beyond the bound."""
        value, unit = reported_value(reading)
        if bound_mg_dl is None and level.name is not None:
            bound_mg_dl = self.thresholds.level(level.name).bound
        return AlertValue(
            value=value,
            unit=unit,
            threshold=None if bound_mg_dl is None else in_unit(bound_mg_dl, unit),
            source=reading.source,
            duration_minutes=level.duration_minutes,
        )

    def _trend_alerts(self, a: GlucoseAssessment) -> list[VitalAlert]:
        assert a.level is not None
        state = self._patients[a.reading.patient_id]
        hypo_rank = min(lvl.rank for lvl in self.thresholds.levels if lvl.hypo)
        current = self.policy.level(a.reading.patient_id, "glucose")
        if current >= hypo_rank or a.level.rank >= hypo_rank:
            return []
        found: list[tuple[AlertKind, str, AlertValue]] = []
        if a.predicted_low is not None:
            bound = a.predicted_low.threshold_mg_dl
            found.append(
                (
                    "predicted-low",
                    _predicted_text(a.reading, a.predicted_low, self),
                    self._measured(a.reading, a.level, bound),
                )
            )
        if a.falling is not None:
            value, unit = reported_value(a.reading)
            measured = AlertValue(value=value, unit=unit, source=a.reading.source)
            found.append(("rapid-fall", _fall_text(a.reading, a.falling, self), measured))
        alerts = []
        for kind, reason, measured in found:
            last = state.sent.get(kind)
            if last is not None and a.reading.time - last < self.settings.renotify_after:
                continue
            state.sent[kind] = a.reading.time
            alerts.append(
                VitalAlert(
                    patient_id=a.reading.patient_id,
                    time=a.reading.time,
                    signal="glucose",
                    kind=kind,
                    level=a.level.rank,
                    previous_level=current,
                    response=kind.replace("-", " "),
                    reason=reason,
                    **measured.model_dump(),
                )
            )
        return alerts

    def _future(self, reading: GlucoseReading, now: datetime) -> Rejection | None:
        try:
            latest = now + self.settings.clock_skew
        except OverflowError:
            return None
        if reading.time <= latest:
            return None
        return Rejection(
            patient_id=reading.patient_id,
            time=reading.time,
            field="time",
            value=reading.time.isoformat(),
            reason=f"glucose reading of {reading.patient_id} is timed "
            f"{reading.time.isoformat()}, after now "
            f"({now.astimezone(UTC).isoformat(timespec='seconds')}) plus the clock-skew "
            f"allowance of {self.settings.clock_skew.total_seconds() / 60:g} min; not used",
        )

    def _prune(self, state: _Patient) -> None:
        assert state.newest is not None
        keep = bisect.bisect_left(state.keys, (state.newest - self.settings.window, ""))
        del state.history[:keep]
        del state.keys[:keep]

    def _recent_cgm(self, state: _Patient) -> list[GlucoseReading]:
        """CGM readings within the longest trend fit behind the newest reading."""
        assert state.newest is not None
        t = self.thresholds
        fit = timedelta(minutes=max(t.predicted_low.fit_minutes, t.rapid_fall.fit_minutes))
        start = bisect.bisect_left(state.keys, (state.newest - fit, ""))
        return [r for r in state.history[start:] if r.source == "cgm"]


def _conflict(reading: GlucoseReading, kept: GlucoseReading) -> Rejection:
    return Rejection(
        patient_id=reading.patient_id,
        time=reading.time,
        field="glucose",
        value=f"{reading.mg_dl:g}",
        reason=f"glucose {reading.mg_dl:g} mg/dL ({reading.source}) conflicts with "
        f"{kept.mg_dl:g} mg/dL already recorded for {reading.patient_id} at "
        f"{reading.time.isoformat()}; the first value is kept",
    )


def _predicted_text(reading: GlucoseReading, p: PredictedLow, m: GlucoseMonitor) -> str:
    bound = min((lvl for lvl in m.thresholds.levels if lvl.hypo), key=lambda lvl: lvl.rank)
    return (
        f"predicted low: {value_text(reading)} falling {-p.slope_mg_dl_per_min:.1f} mg/dL/min, "
        f"projected {p.projected_mg_dl:.0f} mg/dL in {p.horizon_minutes:.0f} min, below "
        f"{p.threshold_mg_dl:g} mg/dL ({bound.name}, {bound.cite.label}) in about "
        f"{p.minutes_to_threshold:.0f} min (fit and horizon: "
        f"{m.thresholds.predicted_low.cite.label}), CGM"
    )


def _fall_text(reading: GlucoseReading, fit: TrendFit, m: GlucoseMonitor) -> str:
    rule = m.thresholds.rapid_fall
    return (
        f"rapid fall: {value_text(reading)} falling {-fit.slope_mg_dl_per_min:.1f} mg/dL/min "
        f"over {rule.fit_minutes:g} min, faster than {rule.mg_dl_per_min:g} mg/dL/min "
        f"({rule.cite.label}), CGM"
    )
