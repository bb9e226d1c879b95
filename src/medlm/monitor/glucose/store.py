"""Durable glucose ingest: readings and their alerts committed in one transaction before the ack.

`DurableGlucose.ingest(readings)` passes each new reading through the glucose monitor (its
per-patient state and alert policy) and writes the readings, the alerts and the refused values
in one transaction; when it returns, the batch is on disk. Readings are idempotent by (patient,
time, kind of sample): a reading already stored is neither stored nor processed again, so
re-sending a batch after a crash creates no duplicate reading and no second alert. Alerts go to
the one alert table every signal shares (`vital_alerts`, with `signal` "glucose"), so the alert
list and its live stream carry them beside NEWS2 alerts. After a restart, `restore()` replays
the stored readings of the last window through the monitor (never one timed in the future).

Several processes share one database as the vital-sign store does (`medlm.monitor.store`): each
batch locks its patients' `monitor_state` rows first, and a `GlucoseMonitor` reloads a patient
another process wrote since (the readings of the window, then the alert policy's state and the
trend alerts' last times from the row). Other monitors (test doubles) are not reloaded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from pydantic import BaseModel

from medlm.errors import StorageError
from medlm.monitor.alerts import VitalAlert
from medlm.monitor.glucose.alerts import GlucoseMonitor
from medlm.monitor.glucose.config import GlucoseSettings
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.monitor.shared_state import SharedState, acknowledge_state, shared_state, utc
from medlm.monitor.store import insert_ignoring_duplicates, quarantine_row
from medlm.records.report import Rejection
from medlm.storage.tables.glucose import StoredGlucoseReading
from medlm.storage.tables.monitor import QuarantinedValue, StoredAlert
from medlm.storage.tables.monitor_state import LockedState, lock_states, save_states

logger = logging.getLogger(__name__)

Key = tuple[str, datetime, str]  # (patient_id, time in UTC, source)


class GlucoseAlerting(Protocol):
    """The glucose monitor as the store uses it (`medlm.monitor.glucose.alerts.GlucoseMonitor`):
    one reading in at a given time, its alerts out; acknowledgement of a patient's alert."""

    def process(self, reading: GlucoseReading, now: datetime | None = None) -> list[VitalAlert]: ...

    def acknowledge(self, patient_id: str) -> None: ...


class GlucoseBatch(BaseModel):
    """What one committed batch produced."""

    readings: list[GlucoseReading]
    duplicates: int
    alerts: list[VitalAlert]
    rejected: list[Rejection]


def _key(reading: GlucoseReading) -> Key:
    return reading.patient_id, reading.time.astimezone(UTC), reading.source


def _row(reading: GlucoseReading, ingest: str, now: datetime) -> dict[str, Any]:
    return {
        "patient_id": reading.patient_id,
        "time": reading.time.astimezone(UTC),
        "source": reading.source,
        "mg_dl": reading.mg_dl,
        "reported": (reading.reported or "")[:64] or None,
        "origin": (reading.origin or "")[:200] or None,
        "ingest": ingest[:200],
        "received_at": now,
    }


def _from_row(row: Any) -> GlucoseReading:
    return GlucoseReading(
        patient_id=row["patient_id"],
        time=utc(row["time"]),
        mg_dl=row["mg_dl"],
        source=row["source"],
        reported=row["reported"],
        origin=row["origin"],
    )


class DurableGlucose:
    """A glucose monitor whose every reading and alert is stored before it is returned.

    Without a monitor the readings are stored and no alert is raised."""

    def __init__(
        self,
        engine: sa.Engine,
        monitor: GlucoseAlerting | None = None,
        *,
        clock_skew: timedelta = timedelta(minutes=5),
        window: timedelta = timedelta(hours=24),
    ) -> None:
        self.engine = engine
        self.monitor = monitor
        self.clock_skew = clock_skew
        self.window = window
        self._lock = threading.Lock()  # the monitor's per-patient state is not thread-safe
        self._seen: dict[str, int] = {}  # monitor_state version this process last wrote

    @classmethod
    def from_settings(
        cls, engine: sa.Engine, settings: GlucoseSettings | None = None, *, restore: bool = True
    ) -> DurableGlucose:
        """The glucose monitor of `settings` (clock skew, window, alert policy) on `engine`, its
        per-patient state rebuilt from the stored readings unless `restore` is False."""
        settings = settings or GlucoseSettings()
        durable = cls(
            engine,
            GlucoseMonitor(settings),
            clock_skew=settings.clock_skew,
            window=settings.window,
        )
        if restore:
            durable.restore()
        return durable

    def ingest(
        self,
        readings: Sequence[GlucoseReading],
        source: str = "api",
        refused: Sequence[Rejection] = (),
        on_commit: Callable[[sa.Connection], None] | None = None,
        now: datetime | None = None,
    ) -> GlucoseBatch:
        """Process and store a batch in one transaction; returns once it is on disk.

        A reading timed after `now` plus the clock-skew allowance is rejected (and quarantined
        with `refused`, the values the records boundary did not accept). `on_commit` runs inside
        the transaction after the rows are written. Batches are processed one at a time."""
        with self._lock:
            return self._ingest(readings, source, refused, on_commit, now)

    def _ingest(
        self,
        readings: Sequence[GlucoseReading],
        source: str,
        refused: Sequence[Rejection],
        on_commit: Callable[[sa.Connection], None] | None,
        now: datetime | None,
    ) -> GlucoseBatch:
        patients = {r.patient_id for r in readings}
        try:
            with self.engine.begin() as conn:
                locked = lock_states(conn, "glucose", patients, datetime.now(UTC))
                at = (now or datetime.now(UTC)).astimezone(UTC)  # with the lock: after others
                self._follow(conn, locked, at)
                batch = self._process(conn, readings, refused, at)
                rows = [_row(r, source, at) for r in batch.readings]
                self._write(conn, rows, batch.alerts, batch.rejected, at)
                states = {pid: self._shared(pid).model_dump(mode="json") for pid in patients}
                save_states(conn, "glucose", states, at)
                if on_commit is not None:
                    on_commit(conn)
        except BaseException as exc:
            self._seen.update(dict.fromkeys(patients, -1))  # memory may be ahead: reload
            if isinstance(exc, sa.exc.SQLAlchemyError):
                raise StorageError(
                    f"storing a batch of {len(readings)} glucose readings failed: {exc}"
                ) from exc
            raise
        self._seen.update({pid: row.version for pid, row in locked.items()})
        logger.debug("stored %d glucose readings, %d alerts", len(rows), len(batch.alerts))
        return batch

    def _process(
        self,
        conn: sa.Connection,
        readings: Sequence[GlucoseReading],
        refused: Sequence[Rejection],
        now: datetime,
    ) -> GlucoseBatch:
        """Pass the batch's readings not stored yet through the monitor, in time order."""
        future = [self._future(r, now) for r in readings if r.time > now + self.clock_skew]
        rejected = [*(r for r in refused if r.patient_id), *future]
        fresh: dict[Key, GlucoseReading] = {}
        for reading in readings:
            if reading.time <= now + self.clock_skew:
                fresh.setdefault(_key(reading), reading)
        stored = self._existing(conn, list(fresh))
        new = sorted((r for k, r in fresh.items() if k not in stored), key=lambda r: r.time)
        alerts = [a for r in new for a in (self.monitor.process(r, now) if self.monitor else [])]
        duplicates = len(readings) - len(new) - len(future)
        return GlucoseBatch(readings=new, duplicates=duplicates, alerts=alerts, rejected=rejected)

    def _follow(self, conn: sa.Connection, locked: dict[str, LockedState], now: datetime) -> None:
        """Reload each patient another process wrote since this one last did."""
        monitor = self.monitor
        if not isinstance(monitor, GlucoseMonitor):
            return
        for pid, row in locked.items():
            if self._seen.get(pid, 0) == row.version - 1:
                continue
            shared = shared_state(row)
            window = monitor.settings.window
            until = now + monitor.settings.clock_skew
            monitor.forget(pid)
            monitor.restore(window_readings(conn, pid, window, until), now)
            monitor.policy.load_state(pid, shared.policy, "glucose")
            monitor.set_trend_sent(pid, shared.trend_sent)
            logger.debug("glucose state of a patient reloaded (version %d)", row.version)

    def _shared(self, patient_id: str) -> SharedState:
        monitor = self.monitor
        if not isinstance(monitor, GlucoseMonitor):
            return SharedState()
        return SharedState(
            policy=monitor.policy.export_state(patient_id, "glucose"),
            trend_sent=monitor.trend_sent(patient_id),
        )

    def _future(self, reading: GlucoseReading, now: datetime) -> Rejection:
        minutes = (reading.time - now).total_seconds() / 60
        return Rejection(
            resource_id=reading.origin,
            resource_type="Glucose",
            patient_id=reading.patient_id,
            field="time",
            value=reading.time.isoformat(),
            time=reading.time,
            reason=f"timed {minutes:.0f} min after now, beyond the "
            f"{self.clock_skew.total_seconds() / 60:g}-minute clock-skew allowance",
        )

    def _existing(self, conn: sa.Connection, keys: list[Key]) -> set[Key]:
        """Which of these keys are stored already."""
        if not keys:
            return set()
        table = StoredGlucoseReading.__table__
        patients = sorted({k[0] for k in keys})
        times = [k[1] for k in keys]
        query = sa.select(table.c.patient_id, table.c.time, table.c.source).where(
            table.c.patient_id.in_(patients), table.c.time.between(min(times), max(times))
        )
        rows = conn.execute(query).all()
        return {(pid, utc(time), source) for pid, time, source in rows} & set(keys)

    def _write(
        self,
        conn: sa.Connection,
        rows: list[dict[str, Any]],
        alerts: list[VitalAlert],
        rejected: list[Rejection],
        now: datetime,
    ) -> None:
        if rows:
            table = StoredGlucoseReading.__table__
            conn.execute(insert_ignoring_duplicates(self.engine, table), rows)
        if alerts:
            alert_rows = [
                a.model_dump() | {"time": a.time.astimezone(UTC), "created_at": now} for a in alerts
            ]
            conn.execute(insert_ignoring_duplicates(self.engine, StoredAlert.__table__), alert_rows)
        if rejected:
            quarantined = [quarantine_row(r, now) for r in rejected]
            table = QuarantinedValue.__table__
            conn.execute(insert_ignoring_duplicates(self.engine, table), quarantined)

    def restore(self, now: datetime | None = None) -> int:
        """Replay the stored readings of the last window through the monitor (their alerts are
        stored already); readings timed after `now` plus the clock-skew allowance are left out.
        Returns how many readings were replayed."""
        now = (now or datetime.now(UTC)).astimezone(UTC)
        table = StoredGlucoseReading.__table__
        query = (
            sa.select(table)
            .where(table.c.time >= now - self.window, table.c.time <= now + self.clock_skew)
            .order_by(table.c.time, table.c.id)
        )
        with self.engine.connect() as conn:
            readings = [_from_row(row) for row in conn.execute(query).mappings()]
        if self.monitor is not None:
            with self._lock:
                for reading in readings:
                    self.monitor.process(reading, now)
        return len(readings)

    def acknowledge(self, patient_id: str) -> None:
        """Staff saw the patient's glucose alert: the monitor's policy stops re-notifying, in
        this process and (through the patient's stored state) in every other."""
        with self._lock:
            if self.monitor is not None:
                self.monitor.acknowledge(patient_id)
            try:
                with self.engine.begin() as conn:
                    acknowledge_state(conn, "glucose", patient_id, datetime.now(UTC))
            except sa.exc.SQLAlchemyError as exc:
                raise StorageError(f"acknowledging a glucose alert failed: {exc}") from exc


def window_readings(
    conn: sa.Connection, patient_id: str, window: timedelta, until: datetime
) -> list[GlucoseReading]:
    """A patient's stored readings in the window behind the newest one timed up to `until` (what
    the monitor holds after them), oldest first."""
    table: Any = StoredGlucoseReading.__table__
    mine = table.c.patient_id == patient_id
    last = conn.execute(
        sa.select(sa.func.max(table.c.time)).where(mine, table.c.time <= until)
    ).scalar()
    if last is None:
        return []
    last = utc(last)
    query = (
        sa.select(table)
        .where(mine, table.c.time >= last - window, table.c.time <= last)
        .order_by(table.c.time, table.c.id)
    )
    return [_from_row(row) for row in conn.execute(query).mappings()]


def stored_glucose(
    engine: sa.Engine,
    patient_id: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 20_000,
) -> list[GlucoseReading]:
    """A patient's stored readings in [start, end), oldest first (the newest `limit` of them)."""
    table = StoredGlucoseReading.__table__
    query = sa.select(table).where(table.c.patient_id == patient_id)
    if start is not None:
        query = query.where(table.c.time >= start.astimezone(UTC))
    if end is not None:
        query = query.where(table.c.time < end.astimezone(UTC))
    query = query.order_by(table.c.time.desc(), table.c.id.desc()).limit(limit)
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
    except sa.exc.SQLAlchemyError as exc:
        raise StorageError(f"reading the glucose readings of a patient failed: {exc}") from exc
    return [_from_row(row) for row in reversed(rows)]
