"""The patient's alerts on the chart: every unacknowledged alert (NEWS2 and glucose) and the ones
acknowledged recently, with who acknowledged them, when, and the notes written then.

Two queries: the patient's alerts (open, or acknowledged since `since`), then the notes of
those alerts (`web_alert_notes`). Who acknowledged is `vital_alerts.acknowledged_by`; for an
alert acknowledged before that column existed, the author of its note when there is one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field

from medlm.monitor.shared_state import utc
from medlm.storage.tables.monitor import StoredAlert
from medlm.storage.tables.web import WebAlertNote
from medlm.web.board_data import BoardAlert

MAX_OPEN = 50  # unacknowledged alerts listed on a chart (newest first)
MAX_ACKNOWLEDGED = 20  # recently acknowledged alerts listed


class AlertNote(BaseModel):
    """A note written when the alert was acknowledged."""

    user_name: str
    note: str
    time: datetime


class ChartAlert(BoardAlert):
    """One of the patient's stored alerts with the measurement behind it and its
    acknowledgement (None while open)."""

    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    notes: list[AlertNote] = Field(default_factory=list)


class PatientAlerts(BaseModel):
    """The chart's alert list: open alerts and those acknowledged since the window's start."""

    open: list[ChartAlert]
    acknowledged: list[ChartAlert]
    more_open: int = 0


def _alert(row: Any) -> ChartAlert:
    alert = ChartAlert.from_row(row)
    alert.acknowledged_at = None if row.acknowledged_at is None else utc(row.acknowledged_at)
    alert.acknowledged_by = row.acknowledged_by
    return alert


def _notes(conn: sa.Connection, ids: list[int]) -> dict[int, list[AlertNote]]:
    if not ids:
        return {}
    table: Any = WebAlertNote.__table__
    query = sa.select(table).where(table.c.alert_id.in_(ids)).order_by(table.c.id)
    notes: dict[int, list[AlertNote]] = {}
    for row in conn.execute(query):
        notes.setdefault(row.alert_id, []).append(
            AlertNote(user_name=row.user_name, note=row.note, time=utc(row.created_at))
        )
    return notes


def patient_alerts(engine: sa.Engine, patient_id: str, since: datetime) -> PatientAlerts:
    """The patient's open alerts (newest first, at most `MAX_OPEN`, the rest counted) and the
    alerts acknowledged at or after `since` (newest acknowledgement first)."""
    table: Any = StoredAlert.__table__
    mine = table.c.patient_id == patient_id
    is_open = table.c.acknowledged_at.is_(None)
    with engine.connect() as conn:
        open_rows = conn.execute(
            sa.select(table).where(mine, is_open).order_by(table.c.id.desc()).limit(MAX_OPEN)
        ).all()
        open_count = conn.execute(sa.select(sa.func.count()).where(mine, is_open)).scalar_one()
        acked_rows = conn.execute(
            sa.select(table)
            .where(mine, table.c.acknowledged_at >= since)
            .order_by(table.c.acknowledged_at.desc(), table.c.id.desc())
            .limit(MAX_ACKNOWLEDGED)
        ).all()
        notes = _notes(conn, [row.id for row in acked_rows])
    acknowledged = []
    for row in acked_rows:
        alert = _alert(row)
        alert.notes = notes.get(row.id, [])
        if alert.acknowledged_by is None and alert.notes:
            alert.acknowledged_by = alert.notes[0].user_name
        acknowledged.append(alert)
    return PatientAlerts(
        open=[_alert(row) for row in open_rows],
        acknowledged=acknowledged,
        more_open=max(0, int(open_count) - len(open_rows)),
    )
