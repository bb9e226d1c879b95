"""The ward board's rows: every monitored patient's latest vital-sign set, NEWS2, trends versus
the set before, time since the last set, and unacknowledged alerts (NEWS2 and glucose).

Two queries whatever the number of patients: the two newest scored sets of each patient (an
indexed look-up per patient on `vital_scores`) with their readings, and the unacknowledged
alerts.
Rows are sorted by current alert level, then NEWS2 total (the partial total when a parameter is
missing), highest first.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Self

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
    """A stored alert with the measurement behind it (null on old alerts); the board lists
    the unacknowledged ones, the chart (`components.chart_alerts`) a patient's."""

    id: int
    signal: str
    kind: str
    level: int
    response: str | None
    reason: str
    time: datetime
    value: float | None = None
    unit: str | None = None
    threshold: float | None = None
    duration_minutes: float | None = None

    @classmethod
    def from_row(cls, row: Any) -> Self:
        """The alert of a `vital_alerts` row (times as aware UTC)."""
        return cls(
            id=row.id,
            signal=row.signal,
            kind=row.kind,
            level=row.level,
            response=row.response,
            reason=row.reason,
            time=utc(row.time),
            value=row.value,
            unit=row.unit,
            threshold=row.threshold,
            duration_minutes=row.duration_minutes,
        )


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


def _newest_two(table: Any) -> Any:
    """Ids of each patient's two newest scored sets: one indexed look-up per patient on the
    (patient, time) key, instead of ranking every stored set."""
    inner = table.alias("newer")
    patients = sa.select(table.c.patient_id).distinct().subquery("patients")
    newest = (
        sa.select(inner.c.id)
        .where(inner.c.patient_id == patients.c.patient_id)
        .order_by(inner.c.time.desc())
        .limit(2)
        .correlate(patients)
        .scalar_subquery()
    )
    return sa.select(table.c.id).join(patients, table.c.id.in_(newest))


class _Score(BaseModel):
    time: datetime
    total: int | None
    partial_total: int
    level: int
    risk: str | None


def _newest_sets(
    conn: sa.Connection,
) -> tuple[dict[str, list[_Score]], dict[tuple[str, datetime], dict[str, Any]]]:
    """Each patient's two newest scores (newest first) and the readings of those sets. The
    readings are matched by score id, so their 7 rows per set carry no time to parse."""
    scores: Any = VitalScore.__table__
    readings: Any = VitalReading.__table__
    newest = _newest_two(scores).subquery("newest")
    score_rows = conn.execute(
        sa.select(
            scores.c.id, scores.c.patient_id, scores.c.time, scores.c.total,
            scores.c.partial_total, scores.c.level, scores.c.risk,
        ).join(newest, newest.c.id == scores.c.id)
    ).all()  # fmt: skip
    reading_rows = conn.execute(
        sa.select(scores.c.id, readings.c.parameter, readings.c.value_num, readings.c.value_text)
        .join(newest, newest.c.id == scores.c.id)
        .join(
            readings,
            sa.and_(scores.c.patient_id == readings.c.patient_id, scores.c.time == readings.c.time),
        )
    ).all()
    by_id: dict[int, tuple[str, datetime]] = {}
    by_patient: dict[str, list[_Score]] = defaultdict(list)
    for row in score_rows:
        when = utc(row.time)
        by_id[row.id] = (row.patient_id, when)
        by_patient[row.patient_id].append(
            _Score(
                time=when, total=row.total, partial_total=row.partial_total,
                level=row.level, risk=row.risk,
            )
        )  # fmt: skip
    sets: dict[tuple[str, datetime], dict[str, Any]] = defaultdict(dict)
    for score_id, parameter, value_num, value_text in reading_rows:
        value: Any = value_text if value_text is not None else value_num
        if parameter == "on_oxygen" and value_num is not None:
            value = bool(value_num)
        sets[by_id[score_id]][parameter] = value
    for patient_scores in by_patient.values():
        patient_scores.sort(key=lambda score: score.time, reverse=True)
    return by_patient, sets


def _open_alerts(conn: sa.Connection) -> dict[str, list[BoardAlert]]:
    table: Any = StoredAlert.__table__
    query = sa.select(table).where(table.c.acknowledged_at.is_(None)).order_by(table.c.id.desc())
    alerts: dict[str, list[BoardAlert]] = defaultdict(list)
    for row in conn.execute(query):
        alerts[row.patient_id].append(BoardAlert.from_row(row))
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
    scores: list[_Score],
    sets: dict[tuple[str, datetime], dict[str, Any]],
    alerts: list[BoardAlert],
    view: BoardView,
    now: datetime,
) -> BoardRow:
    latest = scores[0] if scores else None
    last_time = latest.time if latest is not None else None
    latest_set = sets.get((patient_id, last_time), {}) if last_time else {}
    previous_set = sets.get((patient_id, scores[1].time)) if len(scores) > 1 else None
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
        scores, sets = _newest_sets(conn)
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
