"""Save ingested PatientRecords with their ingest run, and read patients back (documents are
encrypted by the engine's key ring; see `medlm.storage.encrypted`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from medlm.errors import StorageError
from medlm.privacy.encryption import EncryptionKeyError
from medlm.records import PatientRecord
from medlm.records.fhir import IngestReport
from medlm.storage.tables import IngestRun, StoredPatient, StoredResource

logger = logging.getLogger(__name__)

# PatientRecord list fields stored as resources, by kind (every one of them: a field left out
# here would be dropped on save without a word).
RESOURCE_KINDS = (
    "observations",
    "conditions",
    "medication_statements",
    "medication_requests",
    "allergies",
    "notes",
    "pharmacogenomics",
    "variants",
)
_CHUNK = 500  # ids per IN (...) clause; SQLite limits bound parameters


class IngestRunSummary(BaseModel):
    """One stored ingest run."""

    model_config = ConfigDict(frozen=True)

    id: int
    source: str
    created_at: datetime
    patients_accepted: int
    resources_accepted: int
    rejection_count: int


def _reraise_key_error(exc: sa.exc.SQLAlchemyError) -> None:
    """A key problem met while binding an encrypted value surfaces as itself (fail closed)."""
    if isinstance(getattr(exc, "orig", None), EncryptionKeyError):
        raise cast(EncryptionKeyError, exc.orig) from None  # type: ignore[attr-defined]


def _resource_rows(record: PatientRecord) -> list[dict[str, Any]]:
    pid = record.patient.id
    rows = []
    for kind in RESOURCE_KINDS:
        for position, item in enumerate(getattr(record, kind)):
            rows.append(
                {
                    "patient_id": pid,
                    "kind": kind,
                    "position": position,
                    "data": item.model_dump(mode="json"),
                }
            )
    return rows


def save_records(
    engine: sa.Engine,
    records: Sequence[PatientRecord],
    *,
    source: str,
    rejections: Sequence[BaseModel] = (),
) -> int:
    """Store accepted records and the run's rejections in one transaction; returns the run id.

    A patient stored before is replaced by the new version with all of its resources.
    """
    now = datetime.now(UTC)
    resource_rows = [row for record in records for row in _resource_rows(record)]
    ids = [r.patient.id for r in records]
    if len(set(ids)) != len(ids):
        raise StorageError(f"ingest of {source!r} names a patient id more than once")
    try:
        with engine.begin() as conn:
            run_id = conn.execute(
                sa.insert(IngestRun).returning(IngestRun.id),
                {
                    "source": source[:500],
                    "created_at": now,
                    "patients_accepted": len(records),
                    "resources_accepted": len(resource_rows),
                    "rejection_count": len(rejections),
                    "rejections": [r.model_dump(mode="json") for r in rejections],
                },
            ).scalar_one()
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                conn.execute(sa.delete(StoredResource).where(StoredResource.patient_id.in_(chunk)))
                conn.execute(sa.delete(StoredPatient).where(StoredPatient.patient_id.in_(chunk)))
            if records:
                conn.execute(
                    sa.insert(StoredPatient),
                    [
                        {
                            "patient_id": r.patient.id,
                            "ingest_run_id": run_id,
                            "data": r.patient.model_dump(mode="json"),
                            "updated_at": now,
                        }
                        for r in records
                    ],
                )
            if resource_rows:
                conn.execute(sa.insert(StoredResource), resource_rows)
    except sa.exc.SQLAlchemyError as exc:
        _reraise_key_error(exc)
        # The driver's message quotes bound parameters (PHI): only its type is reported.
        raise StorageError(
            f"saving the ingest of {source!r} failed ({type(exc).__name__})"
        ) from exc
    logger.info("stored ingest run %s: %d patients", run_id, len(records))
    return int(run_id)


def save_report(engine: sa.Engine, report: IngestReport) -> int:
    """Store an ingest report: its accepted records and every rejection; returns the run id."""
    return save_records(
        engine, report.records, source=report.source or "unnamed", rejections=report.rejections
    )


def load_patient(engine: sa.Engine, patient_id: str) -> PatientRecord | None:
    """The stored record of one patient, or None if no such patient is stored."""
    with engine.connect() as conn:
        patient = conn.execute(
            sa.select(StoredPatient.data).where(StoredPatient.patient_id == patient_id)
        ).scalar_one_or_none()
        if patient is None:
            return None
        rows = conn.execute(
            sa.select(StoredResource.kind, StoredResource.data)
            .where(StoredResource.patient_id == patient_id)
            .order_by(StoredResource.kind, StoredResource.position)
        ).all()
    fields: dict[str, list[Any]] = {kind: [] for kind in RESOURCE_KINDS}
    for kind, data in rows:
        fields[kind].append(data)
    return PatientRecord.model_validate({"patient": patient, **fields})


def patient_ids(engine: sa.Engine) -> list[str]:
    """Ids of every stored patient, sorted."""
    with engine.connect() as conn:
        return list(
            conn.execute(sa.select(StoredPatient.patient_id).order_by(StoredPatient.patient_id))
            .scalars()
            .all()
        )


def ingest_runs(engine: sa.Engine) -> list[IngestRunSummary]:
    """Every stored ingest run, oldest first (counts only: the encrypted rejections are not read,
    so the list needs no key)."""
    fields = [IngestRun.__table__.c[name] for name in IngestRunSummary.model_fields]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*fields).order_by(IngestRun.id)).mappings().all()
    return [IngestRunSummary.model_validate(dict(row)) for row in rows]
