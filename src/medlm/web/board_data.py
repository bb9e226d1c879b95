"""The ward board's rows: every monitored patient's latest vital-sign set, NEWS2, trends versus
the set before, time since the last set, and unacknowledged alerts (NEWS2 and glucose).

Three queries whatever the number of patients: the two newest scored sets of each patient
(a window over `vital_scores`), the readings of those sets, and the unacknowledged alerts.
Rows are sorted by current alert level, then NEWS2 total (the partial total when a parameter is
missing), highest first.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel

from medlm.monitor.store import utc
from medlm.privacy.dates import key_bytes
from medlm.records.timing import freshness_window
from medlm.settings import Settings
from medlm.storage.tables.monitor import StoredAlert, VitalReading, VitalScore

Trend = Literal["up", "down", "flat"]
# The NEWS2 parameters shown on the board, in the order of RCP 2017 Chart 1.
PARAMETERS = (
    "respiratory_rate",
    "spo2",
    "on_oxygen",
    "systolic_bp",
    "heart_rate",
    "consciousness",
    "temperature_c",
)
NUMERIC = {"respiratory_rate", "spo2", "systolic_bp", "heart_rate", "temperature_c"}
ALERTS_SHOWN = 3  # newest unacknowledged alerts listed per patient; the rest are counted


class ParameterValue(BaseModel):
    """One parameter of the latest set and its direction versus the set before."""

    name: str
    value: float | str | bool | None
    trend: Trend | None = None


class BoardAlert(BaseModel):
    """An unacknowledged stored alert."""

    id: int
    signal: str
    kind: str
    level: int
    response: str | None
    reason: str
    time: datetime


class BoardRow(BaseModel):
    """One patient on the board. `patient_id` is the real id for identified viewers and a
    stable pseudonym otherwise (`identified` False, no link)."""

    patient_id: str
    identified: bool
    last_set: datetime | None
    since_last: timedelta | None
    stale: bool
    values: list[ParameterValue]
    news2_total: int | None
    partial_total: int | None
    risk: str | None
    level: int
    alerts: list[BoardAlert]
    more_alerts: int = 0


class BoardState(BaseModel):
    """What the live stream compares to tell that the board changed."""

    last_score_id: int
    last_scored_at: datetime | None
    last_alert_id: int
    open_alerts: int


def pseudonym(patient_id: str, secret: str) -> str:
    """A stable pseudonym of a patient id, keyed by the de-identification secret."""
    digest = hmac.new(key_bytes(secret), key_bytes(f"web-board|{patient_id}"), hashlib.sha256)
    return f"P-{digest.hexdigest()[:10]}"


def stale_after(settings: Settings) -> timedelta:
    """How old the last set may be before it is marked stale: the shortest records freshness
    window configured for a NEWS2 parameter (`records.freshness_days`), else the monitor window
    (`monitor.window_hours`; no guideline gives a vital sign a freshness window)."""
    overrides = settings.records.freshness_days
    windows = [freshness_window(p, overrides) for p in PARAMETERS]
    days = [w for w in windows if w is not None]
    if days:
        return timedelta(days=min(days))
    return timedelta(hours=settings.monitor.window_hours)


def _latest_scores(conn: sa.Connection) -> dict[str, list[Any]]:
    table: Any = VitalScore.__table__
    rank = (
        sa.func.row_number()
        .over(partition_by=table.c.patient_id, order_by=table.c.time.desc())
        .label("rank")
    )
    cols = [table.c.patient_id, table.c.time, table.c.total, table.c.partial_total]
    ranked = sa.select(*cols, table.c.level, table.c.risk, rank).subquery()
    rows = conn.execute(sa.select(ranked).where(ranked.c.rank <= 2)).all()
    by_patient: dict[str, list[Any]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.patient_id, r.rank)):
        by_patient[row.patient_id].append(row)
    return by_patient


def _readings(conn: sa.Connection) -> dict[tuple[str, datetime], dict[str, Any]]:
    scores: Any = VitalScore.__table__
    readings: Any = VitalReading.__table__
    rank = (
        sa.func.row_number()
        .over(partition_by=scores.c.patient_id, order_by=scores.c.time.desc())
        .label("rank")
    )
    ranked = sa.select(scores.c.patient_id, scores.c.time, rank).subquery()
    query = sa.select(
        readings.c.patient_id,
        readings.c.time,
        readings.c.parameter,
        readings.c.value_num,
        readings.c.value_text,
    ).join(
        ranked,
        sa.and_(
            ranked.c.patient_id == readings.c.patient_id,
            ranked.c.time == readings.c.time,
            ranked.c.rank <= 2,
        ),
    )
    sets: dict[tuple[str, datetime], dict[str, Any]] = defaultdict(dict)
    for row in conn.execute(query):
        value: Any = row.value_text if row.value_text is not None else row.value_num
        if row.parameter == "on_oxygen" and row.value_num is not None:
            value = bool(row.value_num)
        sets[(row.patient_id, utc(row.time))][row.parameter] = value
    return sets


def _open_alerts(conn: sa.Connection) -> dict[str, list[BoardAlert]]:
    table: Any = StoredAlert.__table__
    query = sa.select(table).where(table.c.acknowledged_at.is_(None)).order_by(table.c.id.desc())
    alerts: dict[str, list[BoardAlert]] = defaultdict(list)
    for row in conn.execute(query):
        alerts[row.patient_id].append(
            BoardAlert(
                id=row.id,
                signal=row.signal,
                kind=row.kind,
                level=row.level,
                response=row.response,
                reason=row.reason,
                time=utc(row.time),
            )
        )
    return alerts


def _trend(latest: Any, previous: Any) -> Trend | None:
    if not isinstance(latest, float | int) or not isinstance(previous, float | int):
        return None
    if isinstance(latest, bool) or isinstance(previous, bool):
        return None
    return "up" if latest > previous else "down" if latest < previous else "flat"


def _values(latest: dict[str, Any], previous: dict[str, Any] | None) -> list[ParameterValue]:
    values = []
    for name in PARAMETERS:
        value = latest.get(name)
        trend = None
        if name in NUMERIC and previous is not None:
            trend = _trend(value, previous.get(name))
        values.append(ParameterValue(name=name, value=value, trend=trend))
    return values


class BoardView(BaseModel):
    """How the viewer sees the board: identified or pseudonymized, and when a set is stale."""

    identified: bool
    deid_secret: str
    stale_after: timedelta


def _row(
    patient_id: str,
    scores: list[Any],
    sets: dict[tuple[str, datetime], dict[str, Any]],
    alerts: list[BoardAlert],
    view: BoardView,
    now: datetime,
) -> BoardRow:
    latest = scores[0] if scores else None
    last_time = utc(latest.time) if latest is not None else None
    latest_set = sets.get((patient_id, last_time), {}) if last_time else {}
    previous_set = sets.get((patient_id, utc(scores[1].time))) if len(scores) > 1 else None
    since = now - last_time if last_time else None
    alert_level = max((a.level for a in alerts), default=0)
    shown = patient_id if view.identified else pseudonym(patient_id, view.deid_secret)
    return BoardRow(
        patient_id=shown,
        identified=view.identified,
        last_set=last_time,
        since_last=since,
        stale=since is None or since > view.stale_after,
        values=_values(latest_set, previous_set),
        news2_total=latest.total if latest is not None else None,
        partial_total=latest.partial_total if latest is not None else None,
        risk=latest.risk if latest is not None else None,
        level=max(alert_level, latest.level if latest is not None else 0),
        alerts=alerts[:ALERTS_SHOWN],
        more_alerts=max(0, len(alerts) - ALERTS_SHOWN),
    )


def _sort_key(row: BoardRow) -> tuple[int, int, str]:
    total = row.news2_total if row.news2_total is not None else (row.partial_total or 0)
    return (-row.level, -total, row.patient_id)


def board_rows(engine: sa.Engine, view: BoardView, now: datetime | None = None) -> list[BoardRow]:
    """Every monitored patient (a stored set or an open alert), most urgent first."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        scores = _latest_scores(conn)
        sets = _readings(conn)
        alerts = _open_alerts(conn)
    patients: Iterable[str] = set(scores) | set(alerts)
    rows = [_row(p, scores.get(p, []), sets, alerts.get(p, []), view, now) for p in patients]
    return sorted(rows, key=_sort_key)


def board_state(engine: sa.Engine) -> BoardState:
    """The newest score and alert ids and the count of open alerts (cheap, indexed reads)."""
    scores: Any = VitalScore.__table__
    alerts: Any = StoredAlert.__table__
    with engine.connect() as conn:
        score_id, scored_at = conn.execute(
            sa.select(sa.func.max(scores.c.id), sa.func.max(scores.c.scored_at))
        ).one()
        alert_id, open_count = conn.execute(
            sa.select(
                sa.func.max(alerts.c.id),
                sa.func.count().filter(alerts.c.acknowledged_at.is_(None)),
            )
        ).one()
    return BoardState(
        last_score_id=score_id or 0,
        last_scored_at=scored_at,
        last_alert_id=alert_id or 0,
        open_alerts=open_count or 0,
    )
