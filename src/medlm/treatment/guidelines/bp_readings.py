"""The blood pressure the hypertension rules read: the mean of recent readings, not the last one.

ACC/AHA 2017 estimates a person's BP from the average of at least two readings on at least two
occasions. `mean_bp` averages the readings of the last `window_days` before the as-of time (the
numbers are in `guidelines.yaml`, `hypertension.readings`) and says whether there were enough
readings and occasions for the mean to stand for the patient's BP.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from medlm.knowledge.concepts import load_concepts
from medlm.messages import Message, MessageTemplate
from medlm.records import Observation, PatientRecord
from medlm.records.timing import aware

SINGLE_READING = MessageTemplate(id="treatment.htn.single-reading", text="a single reading")
UNDATED_MEAN = MessageTemplate(
    id="treatment.htn.undated-mean", text="mean of %(readings)s undated readings"
)
DATED_MEAN = MessageTemplate(
    id="treatment.htn.dated-mean",
    text="mean of %(readings)s readings on %(days)s day(s) in the last %(window)s days",
)


class MeanBP(BaseModel):
    """Mean systolic and diastolic pressure (mmHg) of the readings the rules use."""

    model_config = ConfigDict(frozen=True)

    systolic: float
    diastolic: float
    readings: int
    occasions: int
    dated: bool
    window_days: float
    confirmed: bool

    def basis(self) -> str:
        """How the value was obtained, for a rationale."""
        return self.said().text

    def said(self) -> Message:
        """`basis` as a message template."""
        if self.readings == 1:
            return SINGLE_READING()
        if not self.dated:
            return UNDATED_MEAN(readings=self.readings)
        return DATED_MEAN(readings=self.readings, days=self.occasions, window=self.window_days)


def _values(
    record: PatientRecord, concept: str, as_of: datetime, window: timedelta
) -> tuple[list[float], list[date], bool, list[str]]:
    unit = load_concepts().observation(concept).unit
    usable = [
        o
        for o in record.observations_of(concept)
        if o.value is not None and o.comparator is None and o.unit == unit
    ]
    skipped = len(record.observations_of(concept)) - len(usable)
    notes = (
        [f"{skipped} {concept.replace('_', ' ')} value(s) not in {unit} or only a bound: not used"]
        if skipped
        else []
    )
    dated = [o for o in usable if o.effective is not None and aware(o.effective) <= as_of]
    if dated:
        recent = [o for o in dated if as_of - aware(o.effective) <= window]  # type: ignore[arg-type]
        return _floats(recent), sorted({_day(o) for o in recent}), True, notes
    undated = [o for o in usable if o.effective is None]
    return _floats(undated), [], False, notes


def _floats(obs: list[Observation]) -> list[float]:
    return [float(o.value) for o in obs if o.value is not None]


def _day(obs: Observation) -> date:
    assert obs.effective is not None
    return obs.effective.date()


def mean_bp(
    record: PatientRecord, as_of: datetime, rule: dict[str, Any]
) -> tuple[MeanBP | None, list[str]]:
    """The mean BP at `as_of` per `rule` (window_days, min_readings, min_occasions) and notes."""
    window = timedelta(days=float(rule["window_days"]))
    sbp, sbp_days, dated, notes = _values(record, "systolic_bp", as_of, window)
    dbp, dbp_days, _, more = _values(record, "diastolic_bp", as_of, window)
    notes += more
    if not sbp or not dbp:
        if record.observations_of("systolic_bp") or record.observations_of("diastolic_bp"):
            notes.append(
                f"no paired systolic and diastolic reading in the last {rule['window_days']} "
                "days: hypertension rules not applied"
            )
        return None, notes
    readings = min(len(sbp), len(dbp))
    occasions = len(set(sbp_days) & set(dbp_days)) if dated else 0
    confirmed = readings >= rule["min_readings"] and occasions >= rule["min_occasions"]
    return MeanBP(
        systolic=round(sum(sbp) / len(sbp), 1),
        diastolic=round(sum(dbp) / len(dbp), 1),
        readings=readings,
        occasions=occasions,
        dated=dated,
        window_days=float(rule["window_days"]),
        confirmed=confirmed,
    ), notes
