"""Tables for ingested clinical records: ingest runs, patients and their resources (the PHI-bearing
documents are encrypted columns)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from medlm.storage.encrypted import EncryptedJson
from medlm.storage.tables.base import Base


class IngestRun(Base):
    """One ingest of a source (a FHIR bundle, a CSV, a packaged dataset) and its counts."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    patients_accepted: Mapped[int] = mapped_column(sa.Integer)
    resources_accepted: Mapped[int] = mapped_column(sa.Integer)
    rejection_count: Mapped[int] = mapped_column(sa.Integer)
    # Rejection reasons and resource ids can quote submitted values: encrypted.
    rejections: Mapped[list[Any]] = mapped_column(EncryptedJson("ingest_runs.rejections"))


class StoredPatient(Base):
    """The latest stored version of one patient (normalized `Patient` record JSON)."""

    __tablename__ = "patients"

    patient_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    ingest_run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ingest_runs.id", ondelete="RESTRICT"), index=True
    )
    # Names, birth date, identifiers (MRNs), address, telecom: encrypted.
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJson("patients.data"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class StoredResource(Base):
    """One clinical resource of a patient, by kind (observation, condition, ...)."""

    __tablename__ = "patient_resources"
    __table_args__ = (sa.Index("ix_patient_resources_patient_kind", "patient_id", "kind"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(
        sa.ForeignKey("patients.patient_id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(sa.Integer)
    # Note text, dates and values of every clinical resource: encrypted.
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJson("patient_resources.data"))
