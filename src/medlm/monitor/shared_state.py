"""What processes sharing one database share about a patient: the `monitor_state` row's content
and the window of stored vital-sign sets a process reloads when another one wrote the patient.

`SharedState` is what a row holds beyond the stored readings (the alert policy's state and, for
glucose, when each trend alert was last sent); `window_sets` rebuilds a patient's window from the
stored readings; `acknowledge_state` acknowledges the stored policy state so that every process
stops re-notifying. The durable stores (`medlm.monitor.store`, `medlm.monitor.glucose.store`)
lock the rows (`medlm.storage.tables.monitor_state`) and call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field

from medlm.monitor.alerts import AlertPolicy, PolicyState, SignalName
from medlm.monitor.vitals import VitalSigns
from medlm.storage.tables.monitor import VitalReading
from medlm.storage.tables.monitor_state import LockedState, lock_existing_state, save_states

WINDOW_CHUNK = 500  # patients per window query (3 bound values each, under SQLite's cap)


class SharedState(BaseModel):
    """What a patient's `monitor_state` row holds beyond the stored readings: the alert
    policy's state and, for glucose, when each trend alert was last sent."""

    policy: PolicyState | None = None
    trend_sent: dict[str, datetime] = Field(default_factory=dict)


def shared_state(locked: LockedState) -> SharedState:
    """The state stored in a locked row (empty when no process stored one)."""
    return SharedState.model_validate(locked.state or {})


def acknowledge_state(
    conn: sa.Connection, signal: SignalName, patient_id: str, now: datetime
) -> None:
    """Acknowledge a patient's stored alert-policy state within `conn`'s transaction (nothing
    to do for a patient no batch has stored a state for)."""
    locked = lock_existing_state(conn, signal, patient_id)
    if locked is None:
        return
    shared = shared_state(locked)
    policy = AlertPolicy()  # only its acknowledgement rule is used: thresholds do not matter
    policy.load_state(patient_id, shared.policy, signal)
    policy.acknowledge(patient_id, signal)
    acknowledged = shared.model_copy(update={"policy": policy.export_state(patient_id, signal)})
    save_states(conn, signal, {patient_id: acknowledged.model_dump(mode="json")}, now)


def utc(value: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite returns naive values)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def stored_value(row: Any) -> Any:
    """The value of a stored `vital_readings` row, typed as its parameter expects."""
    if row["value_text"] is not None:
        return row["value_text"]
    if row["parameter"] == "on_oxygen":
        return bool(row["value_num"])
    return row["value_num"]


def group_sets(rows: Iterable[Any]) -> list[VitalSigns]:
    """Stored reading rows (in time order) as the sets they belong to."""
    sets: dict[tuple[str, datetime], dict[str, Any]] = {}
    for row in rows:
        key = (row["patient_id"], utc(row["time"]))
        values = sets.setdefault(key, {"spo2_scale": row["spo2_scale"]})
        values[row["parameter"]] = stored_value(row)
    return [VitalSigns(patient_id=pid, time=t, **values) for (pid, t), values in sets.items()]


def window_sets(
    conn: sa.Connection, patient_ids: set[str], window: timedelta, until: datetime
) -> dict[str, list[VitalSigns]]:
    """Each patient's stored sets in the window behind their newest set timed up to `until`
    (what the monitor holds after those sets), oldest first."""
    table: Any = VitalReading.__table__
    ordered = sorted(patient_ids)
    sets: dict[str, list[VitalSigns]] = {}
    for start in range(0, len(ordered), WINDOW_CHUNK):
        chunk = ordered[start : start + WINDOW_CHUNK]
        newest_query = (
            sa.select(table.c.patient_id, sa.func.max(table.c.time))
            .where(table.c.patient_id.in_(chunk), table.c.time <= until)
            .group_by(table.c.patient_id)
        )
        newest = {pid: utc(time) for pid, time in conn.execute(newest_query)}
        if not newest:
            continue
        windows = [
            sa.and_(table.c.patient_id == pid, table.c.time.between(last - window, last))
            for pid, last in sorted(newest.items())
        ]
        query = sa.select(table).where(sa.or_(*windows)).order_by(table.c.time, table.c.id)
        for vitals in group_sets(conn.execute(query).mappings()):
            sets.setdefault(vitals.patient_id, []).append(vitals)
    return sets
