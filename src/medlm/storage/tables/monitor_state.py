"""Per-patient monitor state shared by every worker process, and the row locks that order it.

One `monitor_state` row per (signal, patient). Every transaction that changes a patient's monitor
state (a batch of readings, an acknowledgement) first locks the patient's row by bumping its
`version` and commits its changes with it; a process compares the version it finds with the one
it last wrote, and reloads the patient from the database when another process wrote in between.
`state` holds what the stored readings cannot give back: the alert policy's memory of the
patient (alerted level, last page, acknowledgement, hysteresis) and, for glucose, when each trend
alert was last sent. The window of readings itself is rebuilt from the readings tables.

Locking: the bump is an INSERT ... ON CONFLICT DO UPDATE, the transaction's first statement, over
the batch's patients in sorted order. PostgreSQL holds the rows' locks until commit (a sorted
order cannot deadlock); SQLite takes its one write lock at the first write, so the transaction
holds it before it reads anything.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from medlm.storage.tables.base import Base
from medlm.storage.tables.monitor import JsonDocument


class MonitorState(Base):
    """The shared state of one patient's monitored signal ("news2", "glucose")."""

    __tablename__ = "monitor_state"

    signal: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    patient_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class LockedState(NamedTuple):
    """A patient's row once locked: its new version and the state stored before this
    transaction (None when no process stored one)."""

    version: int
    state: dict[str, Any] | None


@functools.cache
def _lock_statement(dialect: str) -> Any:
    """The locking upsert of one dialect (built once: batches run it constantly)."""
    table: Any = MonitorState.__table__
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=["signal", "patient_id"],
        set_={"version": table.c.version + 1, "updated_at": stmt.excluded.updated_at},
    ).returning(table.c.patient_id, table.c.version, table.c.state, sort_by_parameter_order=True)


@functools.cache
def _save_statement() -> Any:
    table: Any = MonitorState.__table__
    return (
        table.update()
        .where(table.c.signal == sa.bindparam("sig"), table.c.patient_id == sa.bindparam("pid"))
        .values(state=sa.bindparam("new_state"), updated_at=sa.bindparam("at"))
    )


def lock_states(
    conn: sa.Connection, signal: str, patient_ids: set[str], now: datetime
) -> dict[str, LockedState]:
    """Lock the patients' rows for this transaction, bumping each version (a missing row is
    created at version 1). Must be the transaction's first statement."""
    if not patient_ids:
        return {}
    rows = [
        {"signal": signal, "patient_id": pid, "version": 1, "state": None, "updated_at": now}
        for pid in sorted(patient_ids)
    ]
    # executemany with RETURNING: SQLAlchemy sends the rows as multi-row statements in this
    # (sorted) order, within the driver's bound-value limits
    result = conn.execute(_lock_statement(conn.dialect.name), rows)
    return {pid: LockedState(v, state) for pid, v, state in result}


def lock_existing_state(conn: sa.Connection, signal: str, patient_id: str) -> LockedState | None:
    """Lock one patient's row if it exists (bumping its version); None when it does not."""
    table: Any = MonitorState.__table__
    stmt = (
        table.update()
        .where(table.c.signal == signal, table.c.patient_id == patient_id)
        .values(version=table.c.version + 1)
        .returning(table.c.version, table.c.state)
    )
    row = conn.execute(stmt).first()
    return None if row is None else LockedState(row[0], row[1])


def save_states(
    conn: sa.Connection, signal: str, states: dict[str, dict[str, Any]], now: datetime
) -> None:
    """Store the patients' new states (their rows are locked by this transaction)."""
    if states:
        rows = [
            {"sig": signal, "pid": pid, "new_state": state, "at": now}
            for pid, state in sorted(states.items())
        ]
        conn.execute(_save_statement(), rows)
