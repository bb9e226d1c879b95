"""Alert policy: raise once when the NEWS2 response level rises, escalate, re-notify, de-escalate.

Levels are the rows of RCP 2017 Chart 4 (0 routine, 1 ward-based, 2 single red score, 3 urgent,
4 emergency). An alert is raised when the level reaches `min_level` or rises above the alerted
level; it is repeated only on escalation or, while unacknowledged, after `renotify_after`; it
de-escalates only after `deescalate_after` consecutive lower sets (hysteresis), and climbing
back to a level already paged within `renotify_after` is recorded without paging again. A set
that arrives late (older than the last one seen) alerts only if it raises the level. A rise
of the aggregate by the monitor's trend threshold raises one early "rising" alert below
`min_level`.

The policy reads any signal through `AlertInput` (patient, time, status, level and a description);
it carries the measured value behind the alert (`AlertValue`: value, unit, threshold, sample
source, duration) through to every `VitalAlert` it raises, so pages can name them in any language;
a NEWS2 `Assessment` is converted on the way in, glucose assessments build one directly. State is
kept per patient and signal, so one policy can watch both without one silencing the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from medlm.knowledge.early_warning import load_news2
from medlm.monitor.stream import Assessment

AlertKind = Literal[
    "raised", "escalated", "renotified", "rising", "de-escalated", "predicted-low", "rapid-fall"
]
SignalName = Literal["news2", "glucose"]


class AlertValue(BaseModel):
    """The measurement behind an alert, as typed fields: `value` and `threshold` (the bound of
    the alerted level it crossed, None when the level has no single bound) in `unit` (None for a
    score such as NEWS2, whose value is in points), the glucose sample `source` and how long the
    value has stayed beyond the bound (`duration_minutes`, CGM and persistent levels)."""

    model_config = ConfigDict(frozen=True)

    value: float | None = None
    unit: str | None = None
    threshold: float | None = None
    source: str | None = None
    duration_minutes: float | None = None


class AlertInput(BaseModel):
    """What the policy needs of one assessment, whatever the signal.

    `level` is the signal's ordered alert level (NEWS2: the RCP 2017 response level; glucose: the
    rank in knowledge/glucose/thresholds.yaml); `level_name` replaces "level N" in alert texts."""

    model_config = ConfigDict(frozen=True)

    patient_id: str
    time: datetime
    signal: SignalName = "news2"
    status: str = "new"
    level: int
    level_name: str | None = None
    description: str
    response: str | None = None
    rising: bool = False
    trend_rise: int | None = None
    measured: AlertValue = AlertValue()

    @property
    def level_text(self) -> str:
        return self.level_name or f"level {self.level}"


def alert_input(a: Assessment | AlertInput) -> AlertInput:
    """The policy's view of a NEWS2 assessment (an `AlertInput` is returned as it is)."""
    if isinstance(a, AlertInput):
        return a
    return AlertInput(
        patient_id=a.patient_id,
        time=a.time,
        status=a.status,
        level=a.news2.level,
        description=_describe(a),
        response=a.news2.response,
        rising=a.rising,
        trend_rise=a.trend_rise,
        measured=news2_value(a),
    )


def news2_value(a: Assessment) -> AlertValue:
    """The NEWS2 total (the partial total of an incomplete set) and the lowest total of its
    response level (RCP 2017 Chart 4, from the knowledge table; None for the single-red-score
    level, which no total defines)."""
    n = a.news2
    rule = next((r.when for r in load_news2().responses if r.level == n.level), None)
    threshold = rule.min_total if rule is not None and rule.min_total else None
    total = n.total if n.total is not None else n.partial_total
    return AlertValue(value=float(total), threshold=None if threshold is None else float(threshold))


class VitalAlert(BaseModel):
    """One alert event for one patient; `notify` says whether staff are paged."""

    model_config = ConfigDict(frozen=True)

    patient_id: str
    time: datetime
    signal: SignalName = "news2"
    kind: AlertKind
    level: int
    previous_level: int
    response: str | None
    reason: str
    notify: bool = True
    value: float | None = None
    unit: str | None = None
    threshold: float | None = None
    source: str | None = None
    duration_minutes: float | None = None


@dataclass
class _State:
    level: int = 0
    last_time: datetime | None = None
    last_notified: datetime | None = None
    acknowledged: bool = False
    lower_streak: int = 0
    lower_max: int = 0
    rising_sent: bool = False
    peak_level: int = 0
    peak_time: datetime | None = None


class PolicyState(BaseModel):
    """The policy's memory of one patient's signal, as stored so other processes can load it."""

    model_config = ConfigDict(frozen=True)

    level: int = 0
    last_time: datetime | None = None
    last_notified: datetime | None = None
    acknowledged: bool = False
    lower_streak: int = 0
    lower_max: int = 0
    rising_sent: bool = False
    peak_level: int = 0
    peak_time: datetime | None = None


class AlertPolicy:
    """medlm's policy: escalation by response level, re-notification interval, hysteresis."""

    def __init__(
        self,
        *,
        min_level: int = 2,
        renotify_after: timedelta = timedelta(hours=4),
        deescalate_after: int = 2,
        alert_on_rising: bool = True,
    ) -> None:
        self.min_level = min_level
        self.renotify_after = renotify_after
        self.deescalate_after = deescalate_after
        self.alert_on_rising = alert_on_rising
        self._states: dict[tuple[SignalName, str], _State] = {}

    def acknowledge(self, patient_id: str, signal: SignalName = "news2") -> None:
        """Staff saw the alert: no re-notification at this level until it escalates."""
        self._states.setdefault((signal, patient_id), _State()).acknowledged = True

    def export_state(self, patient_id: str, signal: SignalName = "news2") -> PolicyState | None:
        """The policy's state for a patient's signal (None when it has seen none)."""
        state = self._states.get((signal, patient_id))
        return None if state is None else PolicyState(**vars(state))

    def load_state(
        self, patient_id: str, state: PolicyState | None, signal: SignalName = "news2"
    ) -> None:
        """Replace the state of a patient's signal (None forgets it), e.g. with one exported by
        another process: the policy then continues exactly as that process would."""
        if state is None:
            self._states.pop((signal, patient_id), None)
        else:
            self._states[(signal, patient_id)] = _State(**state.model_dump())

    def level(self, patient_id: str, signal: SignalName = "news2") -> int:
        """The level last alerted (or de-escalated to) for a patient's signal; 0 if none."""
        state = self._states.get((signal, patient_id))
        return state.level if state else 0

    def evaluate(self, assessment: Assessment | AlertInput) -> list[VitalAlert]:
        """Alerts for one assessment. Duplicates never alert; a set older than the last one seen
        (late) alerts only when it reaches a level above the one already alerted, and never
        moves the patient's clock."""
        a = alert_input(assessment)
        state = self._states.setdefault((a.signal, a.patient_id), _State())
        if a.status == "duplicate":
            return []
        level = a.level
        what = a.description
        if state.last_time is not None and a.time <= state.last_time:
            if level > state.level and level >= self.min_level:
                kind: AlertKind = "raised" if state.level < self.min_level else "escalated"
                late = f"{kind} to {a.level_text} by a late set: {what}"
                return [self._notify(a, state, kind, level, late)]
            return []
        state.last_time = a.time
        if level > state.level and level >= self.min_level:
            kind = "raised" if state.level < self.min_level else "escalated"
            alert = self._notify(a, state, kind, level, f"{kind} to {a.level_text}: {what}")
            if self._recently_paged(state, level, a.time):
                return [alert.model_copy(update={"notify": False})]  # flapping back: no page
            state.peak_level, state.peak_time = level, a.time
            return [alert]
        if level < state.level:
            return self._lower(a, state, level, what)
        state.lower_streak = state.lower_max = 0
        if state.level >= self.min_level and not state.acknowledged:
            assert state.last_notified is not None
            if a.time - state.last_notified >= self.renotify_after:
                still = f"still {a.level_text}: {what}"
                return [self._notify(a, state, "renotified", level, still)]
        if self.alert_on_rising and a.rising and not state.rising_sent and level < self.min_level:
            state.rising_sent = True
            state.last_notified = a.time
            return [self._alert(a, state, "rising", level, f"rising by {a.trend_rise}: {what}")]
        return []

    def _recently_paged(self, state: _State, level: int, time: datetime) -> bool:
        return (
            state.peak_time is not None
            and level <= state.peak_level
            and time - state.peak_time < self.renotify_after
        )

    def _lower(self, a: AlertInput, state: _State, level: int, what: str) -> list[VitalAlert]:
        state.lower_streak += 1
        state.lower_max = max(state.lower_max, level) if state.lower_streak > 1 else level
        if state.lower_streak < self.deescalate_after:
            return []
        new_level = state.lower_max
        alert = self._alert(a, state, "de-escalated", new_level, f"de-escalated: {what}")
        state.level, state.lower_streak, state.lower_max = new_level, 0, 0
        if new_level < self.min_level:
            state.rising_sent = False
        return [alert.model_copy(update={"notify": False})]

    def _notify(
        self, a: AlertInput, state: _State, kind: AlertKind, level: int, reason: str
    ) -> VitalAlert:
        alert = self._alert(a, state, kind, level, reason)
        state.level, state.last_notified, state.acknowledged = level, a.time, False
        state.lower_streak = state.lower_max = 0
        return alert

    def _alert(
        self, a: AlertInput, state: _State, kind: AlertKind, level: int, reason: str
    ) -> VitalAlert:
        return VitalAlert(
            patient_id=a.patient_id,
            time=a.time,
            signal=a.signal,
            kind=kind,
            level=level,
            previous_level=state.level,
            response=a.response,
            reason=reason,
            **a.measured.model_dump(),
        )


class NaivePolicy:
    """The baseline: alert on every set at or above the threshold level."""

    def __init__(self, *, min_level: int = 2) -> None:
        self.min_level = min_level

    def evaluate(self, assessment: Assessment | AlertInput) -> list[VitalAlert]:
        a = alert_input(assessment)
        if a.status == "duplicate" or a.level < self.min_level:
            return []
        return [
            VitalAlert(
                patient_id=a.patient_id,
                time=a.time,
                signal=a.signal,
                kind="raised",
                level=a.level,
                previous_level=0,
                response=a.response,
                reason=f"{a.level_text}: {a.description}",
                **a.measured.model_dump(),
            )
        ]


def _describe(a: Assessment) -> str:
    n = a.news2
    total = f"NEWS2 {n.total}" if n.total is not None else f"NEWS2 >= {n.partial_total} (partial)"
    return total + (" with a red score" if n.red_score else "")
