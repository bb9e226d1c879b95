"""Tables for health monitoring: vital-sign readings, scores, quarantined values and alerts
(the alerts of every signal: NEWS2 and glucose)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from medlm.storage.tables.base import Base

JsonDocument = sa.JSON().with_variant(JSONB(), "postgresql")


class VitalReading(Base):
    """One parameter of one vital-sign set; idempotent by (patient, time, parameter)."""

    __tablename__ = "vital_readings"
    __table_args__ = (
        sa.UniqueConstraint("patient_id", "time", "parameter", name="uq_vital_readings_key"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(sa.String(64))
    time: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    parameter: Mapped[str] = mapped_column(sa.String(32))
    value_num: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    value_text: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    spo2_scale: Mapped[int] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.String(200))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class VitalScore(Base):
    """The NEWS2 of one set as last scored (partial sets have no total)."""

    __tablename__ = "vital_scores"
    __table_args__ = (sa.UniqueConstraint("patient_id", "time", name="uq_vital_scores_key"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(sa.String(64))
    time: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    total: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    partial_total: Mapped[int] = mapped_column(sa.Integer)
    level: Mapped[int] = mapped_column(sa.Integer)
    risk: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    result: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    scored_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class QuarantinedValue(Base):
    """A value that was not scored (implausible, conflicting, unknown code) and why."""

    __tablename__ = "vital_quarantine"
    __table_args__ = (
        sa.UniqueConstraint(
            "patient_id", "time", "parameter", "value", name="uq_vital_quarantine_key"
        ),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(sa.String(64))
    time: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)
    parameter: Mapped[str] = mapped_column(sa.String(32))
    value: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class StoredAlert(Base):
    """An alert event of one signal (NEWS2 or glucose); idempotent by (patient, time, signal,
    kind, level). `value`, `unit`, `threshold`, `source` and `duration_minutes` are the
    measurement behind it (`medlm.monitor.alerts.AlertValue`; null on alerts stored before
    revision 0010); `acknowledged_by` names who acknowledged it."""

    __tablename__ = "vital_alerts"
    __table_args__ = (
        sa.UniqueConstraint(
            "patient_id", "time", "signal", "kind", "level", name="uq_vital_alerts_key"
        ),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    time: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    signal: Mapped[str] = mapped_column(sa.String(16), default="news2", server_default="news2")
    kind: Mapped[str] = mapped_column(sa.String(16))
    level: Mapped[int] = mapped_column(sa.Integer)
    previous_level: Mapped[int] = mapped_column(sa.Integer)
    response: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    notify: Mapped[bool] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(
        sa.DateTime(timezone=True), nullable=True
    )
    value: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    unit: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    threshold: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    source: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    duration_minutes: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(sa.String(128), nullable=True)
