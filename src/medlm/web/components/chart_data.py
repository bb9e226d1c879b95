"""What the patient chart draws, read from the monitor store over one time window: each vital
sign's values, the NEWS2 of each set, and glucose readings.

Glucose is drawn in the unit the newest reading was reported in. One query per table, bounded
by the window (a week of 15-minute sets is about 670 sets), so the
chart's cost grows with the window, not with the patient's whole history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from medlm.monitor.glucose.store import stored_glucose
from medlm.monitor.glucose.units import MG_DL, in_unit, reported_unit
from medlm.storage.tables.monitor import VitalReading, VitalScore
from medlm.web.components.messages import N_
from medlm.web.components.svg_chart import ChartPoint, ScorePoint

# The charted vital signs: (NEWS2 parameter of the knowledge table, stored parameter, title).
# SpO2 is charted on the scale of the patient's latest set (see `spo2_parameter`).
CHARTED: tuple[tuple[str, str, str], ...] = (
    ("respiration_rate", "respiratory_rate", N_("Respiration rate")),
    ("spo2_scale_1", "spo2", N_("SpO2")),
    ("systolic_bp", "systolic_bp", N_("Systolic blood pressure")),
    ("pulse", "heart_rate", N_("Pulse")),
    ("temperature", "temperature_c", N_("Temperature")),
)
_CHARTED_PARAMETERS = frozenset(stored for _, stored, _ in CHARTED)


@dataclass(frozen=True)
class VitalWindow:
    """A patient's stored vital signs and scores in [start, end]: `series` maps a stored
    parameter to its values, `latest` holds the newest set's values by stored parameter."""

    start: datetime
    end: datetime
    series: dict[str, list[ChartPoint]]
    scores: list[ScorePoint] = field(default_factory=list)
    latest: dict[str, float | str] = field(default_factory=dict)
    latest_time: datetime | None = None
    spo2_scale: int = 1
    on_oxygen: bool = False

    @property
    def empty(self) -> bool:
        return not any(self.series.values()) and not self.scores


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def vital_window(engine: sa.Engine, patient_id: str, start: datetime, end: datetime) -> VitalWindow:
    """The patient's stored readings and NEWS2 scores with times in [start, end]."""
    readings: sa.Table = VitalReading.__table__  # type: ignore[assignment]
    scores: sa.Table = VitalScore.__table__  # type: ignore[assignment]
    in_window = sa.and_(
        readings.c.patient_id == patient_id, readings.c.time >= start, readings.c.time <= end
    )
    series: dict[str, list[ChartPoint]] = {}
    latest: dict[str, float | str] = {}
    latest_time: datetime | None = None
    scale = 1
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                readings.c.time,
                readings.c.parameter,
                readings.c.value_num,
                readings.c.value_text,
                readings.c.spo2_scale,
            )
            .where(in_window)
            .order_by(readings.c.time)
        ).all()
        score_rows = conn.execute(
            sa.select(scores.c.time, scores.c.total, scores.c.partial_total, scores.c.level)
            .where(scores.c.patient_id == patient_id, scores.c.time >= start, scores.c.time <= end)
            .order_by(scores.c.time)
        ).all()
    for time, parameter, number, text, spo2_scale in rows:
        when = _utc(time)
        if latest_time is None or when > latest_time:
            latest_time, latest, scale = when, {}, spo2_scale
        if when == latest_time:
            latest[parameter] = text if text is not None else number
        if parameter in _CHARTED_PARAMETERS and number is not None:
            series.setdefault(parameter, []).append(ChartPoint(time=when, value=float(number)))
    return VitalWindow(
        start=start,
        end=end,
        series=series,
        scores=[
            ScorePoint(time=_utc(t), total=total, partial_total=partial, level=level)
            for t, total, partial, level in score_rows
        ],
        latest=latest,
        latest_time=latest_time,
        spo2_scale=scale,
        on_oxygen=bool(latest.get("on_oxygen")),
    )


def spo2_parameter(window: VitalWindow) -> str:
    """The NEWS2 SpO2 table of the latest set: scale 1, or scale 2 on air or on oxygen."""
    if window.spo2_scale != 2:
        return "spo2_scale_1"
    return "spo2_scale_2_on_oxygen" if window.on_oxygen else "spo2_scale_2_on_air"


@dataclass(frozen=True)
class GlucoseSeries:
    """The patient's glucose readings in a window, in `unit`: the unit the newest of them was
    reported in (mmol/L or mg/dL), so the chart reads like the alerts beside it."""

    points: list[ChartPoint]
    unit: str


def glucose_series(
    engine: sa.Engine, patient_id: str, start: datetime, end: datetime
) -> GlucoseSeries:
    """The patient's stored glucose readings in [start, end), in the newest reading's unit."""
    readings = stored_glucose(engine, patient_id, start=start, end=end)
    unit = reported_unit(readings[-1]) if readings else MG_DL
    return GlucoseSeries(
        points=[ChartPoint(time=r.time, value=in_unit(r.mg_dl, unit)) for r in readings],
        unit=unit,
    )
