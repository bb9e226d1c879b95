"""Durable ingest: readings, scores, quarantined values and alerts committed before the ack.

`DurableMonitor.ingest(batch)` scores a batch through the monitor and alert policy and writes
everything in one transaction; when it returns, the batch is on disk (SQLite runs WAL with
synchronous=FULL, see `medlm.storage.engine`). Every table is idempotent by its natural key, so
re-sending a batch after a crash creates no duplicates. After a restart, `restore()` rebuilds the
monitor's window from the stored readings (never from a reading timed in the future).

Several processes (`medlm serve --workers N`) share one database: each batch first locks its
patients' `monitor_state` rows (`medlm.storage.tables.monitor_state`), and a patient another
process wrote since this one last did is reloaded before the batch is processed: the window from
the stored readings, the alert policy's state from the row (`medlm.monitor.shared_state`).
Alerts are then the same whichever process gets each batch, and an acknowledgement taken by any
process holds in all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from medlm.errors import StorageError
from medlm.monitor.alerts import AlertPolicy, VitalAlert
from medlm.monitor.shared_state import (
    SharedState,
    acknowledge_state,
    group_sets,
    shared_state,
    stored_value,
    utc,
    window_sets,
)
from medlm.monitor.stream import Assessment, VitalSignMonitor
from medlm.monitor.vitals import VitalSigns
from medlm.records import Rejection
from medlm.storage.tables.monitor import QuarantinedValue, StoredAlert, VitalReading, VitalScore
from medlm.storage.tables.monitor_state import LockedState, lock_states, save_states

logger = logging.getLogger(__name__)


class BatchResult(BaseModel):
    """What one committed batch produced (sets timed in the future have no assessment)."""

    assessments: list[Assessment]
    alerts: list[VitalAlert]
    rejected: list[Rejection]


def insert_ignoring_duplicates(engine: sa.Engine, table: Any) -> Any:
    """An INSERT that skips rows whose unique key already exists (SQLite or PostgreSQL)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def _score_upsert(engine: sa.Engine) -> Any:
    table: Any = VitalScore.__table__
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(table)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table)
    cols = ("total", "partial_total", "level", "risk", "result", "scored_at")
    return stmt.on_conflict_do_update(
        index_elements=["patient_id", "time"], set_={c: stmt.excluded[c] for c in cols}
    )


def _utc_or_none(value: datetime | None) -> datetime | None:
    """A rejected item's time in UTC; None when it has none or it is outside UTC's range."""
    try:
        return None if value is None else utc(value)
    except OverflowError:
        return None


def quarantine_row(rejection: Rejection, now: datetime) -> dict[str, Any]:
    """A rejection as a `vital_quarantine` row (parameter = the rejected field)."""
    return {
        "patient_id": (rejection.patient_id or "?")[:64],
        "time": _utc_or_none(rejection.time),
        "parameter": (rejection.field or "set")[:32],
        "value": (rejection.value or "")[:200],
        "reason": rejection.reason,
        "received_at": now,
    }


def reading_rows(vitals: VitalSigns, source: str, now: datetime) -> list[dict[str, Any]]:
    """One row per parameter present in a set."""
    rows = []
    for name, value in vitals.present().items():
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        rows.append(
            {
                "patient_id": vitals.patient_id,
                "time": vitals.time.astimezone(UTC),
                "parameter": name,
                "value_num": float(value) if numeric or isinstance(value, bool) else None,
                "value_text": value if isinstance(value, str) else None,
                "spo2_scale": vitals.spo2_scale,
                "source": source[:200],
                "received_at": now,
            }
        )
    return rows


class DurableMonitor:
    """A VitalSignMonitor and AlertPolicy whose every output is stored before it is returned."""

    def __init__(
        self,
        engine: sa.Engine,
        monitor: VitalSignMonitor | None = None,
        policy: AlertPolicy | None = None,
    ) -> None:
        self.engine = engine
        self.monitor = monitor or VitalSignMonitor()
        self.policy = policy or AlertPolicy()
        self._seen: dict[str, int] = {}  # monitor_state version this process last wrote

    def ingest(
        self,
        batch: list[VitalSigns],
        source: str = "api",
        refused: Sequence[Rejection] = (),
        on_commit: Callable[[sa.Connection], None] | None = None,
    ) -> BatchResult:
        """Score, alert and store a batch in one transaction; returns once it is on disk.

        `refused` are values of the batch the records boundary did not accept: they are kept in
        quarantine with the monitor's own rejections. `on_commit` is called inside the batch's
        transaction, after its rows are written (an audit entry written there commits or rolls
        back with the batch)."""
        patients = {v.patient_id for v in batch}
        try:
            with self.engine.begin() as conn:
                locked = lock_states(conn, "news2", patients, datetime.now(UTC))
                now = datetime.now(UTC)  # taken with the lock: after every earlier batch
                self._follow(conn, locked, now)
                result, readings = self._process(batch, source, refused, now)
                self._write(conn, readings, result.assessments, result.alerts, result.rejected, now)
                states = {pid: self._shared(pid).model_dump(mode="json") for pid in patients}
                save_states(conn, "news2", states, now)
                if on_commit is not None:
                    on_commit(conn)
        except BaseException as exc:
            self._seen.update(dict.fromkeys(patients, -1))  # memory may be ahead: reload
            if isinstance(exc, sa.exc.SQLAlchemyError):
                raise StorageError(
                    f"storing a batch of {len(batch)} vital-sign sets failed: {exc}"
                ) from exc
            raise
        self._seen.update({pid: row.version for pid, row in locked.items()})
        logger.debug("stored %d sets, %d alerts", len(batch), len(result.alerts))
        return result

    def _process(
        self, batch: list[VitalSigns], source: str, refused: Sequence[Rejection], now: datetime
    ) -> tuple[BatchResult, list[dict[str, Any]]]:
        """Score and alert a batch in time order; the reading rows to store with it."""
        readings: list[dict[str, Any]] = []
        assessments: list[Assessment] = []
        alerts: list[VitalAlert] = []
        rejected: list[Rejection] = [r for r in refused if r.patient_id]
        for vitals in sorted(batch, key=lambda v: v.time):
            assessment, bad = self.monitor.ingest(vitals, now=now)
            rejected.extend(bad)
            if assessment is None:
                continue  # rejected whole (timed in the future): nothing stored but the reason
            clean = {r.field for r in bad}
            kept = vitals.model_copy(update={p: None for p in clean if p in vitals.present()})
            readings.extend(reading_rows(kept, source, now))
            assessments.append(assessment)
            alerts.extend(self.policy.evaluate(assessment))
        result = BatchResult(assessments=assessments, alerts=alerts, rejected=rejected)
        return result, readings

    def _follow(self, conn: sa.Connection, locked: dict[str, LockedState], now: datetime) -> None:
        """Reload each patient another process wrote since this one last did."""
        stale = {pid for pid, row in locked.items() if self._seen.get(pid, 0) != row.version - 1}
        if not stale:
            return
        until = now + self.monitor.clock_skew
        windows = window_sets(conn, stale, self.monitor.window, until)
        for pid in sorted(stale):
            self.monitor.load(pid, windows.get(pid, []), now=now)
            self.policy.load_state(pid, shared_state(locked[pid]).policy, "news2")
        logger.debug("monitor state of %d patients reloaded", len(stale))

    def _shared(self, patient_id: str) -> SharedState:
        return SharedState(policy=self.policy.export_state(patient_id, "news2"))

    def _write(
        self,
        conn: sa.Connection,
        readings: list[dict[str, Any]],
        assessments: list[Assessment],
        alerts: list[VitalAlert],
        rejected: list[Rejection],
        now: datetime,
    ) -> None:
        if readings:
            conn.execute(insert_ignoring_duplicates(self.engine, VitalReading.__table__), readings)
        scores = [
            {
                "patient_id": a.patient_id,
                "time": a.time.astimezone(UTC),
                "total": a.news2.total,
                "partial_total": a.news2.partial_total,
                "level": a.news2.level,
                "risk": a.news2.risk,
                "result": a.news2.model_dump(mode="json"),
                "scored_at": now,
            }
            for a in assessments
            if a.status != "duplicate"
        ]
        if scores:
            conn.execute(_score_upsert(self.engine), scores)
        if rejected:
            rows = [quarantine_row(r, now) for r in rejected]
            conn.execute(insert_ignoring_duplicates(self.engine, QuarantinedValue.__table__), rows)
        if alerts:
            rows = [
                a.model_dump() | {"time": a.time.astimezone(UTC), "created_at": now} for a in alerts
            ]
            conn.execute(insert_ignoring_duplicates(self.engine, StoredAlert.__table__), rows)

    def restore(self, now: datetime | None = None) -> int:
        """Rebuild the monitor window from stored readings (alert rows already exist). A patient
        with a stored shared state is reloaded exactly at its first batch all the same.

        Readings timed after `now` plus the clock-skew allowance (stored before medlm refused
        them) are left out, so they cannot make the sets that follow "late"."""
        now = now or datetime.now(UTC)
        since = now - self.monitor.window
        until = now + self.monitor.clock_skew
        table = VitalReading.__table__
        query = (
            sa.select(table)
            .where(table.c.time >= since, table.c.time <= until)
            .order_by(table.c.time)
        )
        with self.engine.connect() as conn:
            sets = group_sets(conn.execute(query).mappings())
        for vitals in sets:
            assessment, _ = self.monitor.ingest(vitals, now=now)
            if assessment is not None:
                self.policy.evaluate(assessment)
        return len(sets)


def stored_sets(engine: sa.Engine, patient_id: str, limit: int = 100) -> list[VitalSigns]:
    """A patient's newest stored sets, oldest first."""
    table = VitalReading.__table__
    query = sa.select(table).where(table.c.patient_id == patient_id).order_by(table.c.time.desc())
    sets: dict[datetime, dict[str, Any]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query).mappings():
            time = utc(row["time"])
            if time not in sets and len(sets) >= limit:
                break
            values = sets.setdefault(time, {"spo2_scale": row["spo2_scale"]})
            values[row["parameter"]] = stored_value(row)
    return [VitalSigns(patient_id=patient_id, time=t, **v) for t, v in sorted(sets.items())]


def stored_alerts(
    engine: sa.Engine,
    *,
    after_id: int = 0,
    patient_id: str | None = None,
    signal: str | None = None,
    limit: int = 500,
) -> list[tuple[int, VitalAlert]]:
    """Stored alerts of every signal (NEWS2, glucose) with their row ids (ascending), after
    `after_id`; `signal` keeps one signal's."""
    table = StoredAlert.__table__
    query = sa.select(table).where(table.c.id > after_id).order_by(table.c.id).limit(limit)
    if patient_id is not None:
        query = query.where(table.c.patient_id == patient_id)
    if signal is not None:
        query = query.where(table.c.signal == signal)
    fields = set(VitalAlert.model_fields)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        (
            row["id"],
            VitalAlert.model_validate(
                {k: v for k, v in row.items() if k in fields} | {"time": utc(row["time"])}
            ),
        )
        for row in rows
    ]


def alert_signal(engine: sa.Engine, alert_id: int) -> str | None:
    """The signal ("news2", "glucose") of a stored alert, None when there is no such alert
    (so an acknowledgement reaches the monitor that raised it)."""
    table: Any = StoredAlert.__table__
    with engine.connect() as conn:
        signal = conn.execute(sa.select(table.c.signal).where(table.c.id == alert_id)).scalar()
    return None if signal is None else str(signal)


def acknowledge_alert(
    engine: sa.Engine, alert_id: int, now: datetime | None = None, by: str | None = None
) -> str:
    """Mark a stored alert acknowledged (by user `by`, when known); returns its patient id
    (StorageError if unknown).

    The patient's shared alert-policy state is acknowledged in the same transaction, so every
    process stops re-notifying (each reloads the patient at its next batch)."""
    now = now or datetime.now(UTC)
    table: Any = StoredAlert.__table__
    with engine.begin() as conn:
        row = conn.execute(
            table.update()
            .where(table.c.id == alert_id)
            .values(acknowledged_at=now, acknowledged_by=None if by is None else by[:128])
            .returning(table.c.patient_id, table.c.signal)
        ).first()
        if row is None:
            raise StorageError(f"alert {alert_id} does not exist")
        pid, signal = str(row[0]), str(row[1])
        acknowledge_state(conn, "glucose" if signal == "glucose" else "news2", pid, now)
    return pid
