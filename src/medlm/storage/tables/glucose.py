"""Tables for glucose monitoring: the readings (their alerts share the vital-sign alert table)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from medlm.storage.tables.base import Base


class StoredGlucoseReading(Base):
    """One glucose reading in mg/dL; idempotent by (patient, time, kind of sample)."""

    __tablename__ = "glucose_readings"
    __table_args__ = (
        sa.UniqueConstraint("patient_id", "time", "source", name="uq_glucose_readings_key"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    time: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    source: Mapped[str] = mapped_column(sa.String(16))
    mg_dl: Mapped[float] = mapped_column(sa.Float)
    reported: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    origin: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    ingest: Mapped[str] = mapped_column(sa.String(200))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
