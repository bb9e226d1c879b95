"""Treatment input: the one patient of an IngestReport from the records boundary.

Treatment reads patients only through `medlm.records.read`. Resource types it does not use are
skipped by the reader; a resource it does use (a medication, an allergy, a lab, a problem)
that could not be read does not refuse the patient: it is listed among what could not be
checked, by resource, field and value. The patient is refused only when what is needed is
unreadable: no patient, or several where one is needed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from medlm.errors import InputError
from medlm.records import IngestReport, PatientRecord, Rejection
from medlm.records.read import read_document, read_path

# Resource types whose loss makes a treatment check incomplete (None: an entry of unknown type).
_RELEVANT = {
    None,
    "Observation",
    "Condition",
    "MedicationRequest",
    "MedicationStatement",
    "Medication",
    "AllergyIntolerance",
}


class TreatmentInput(BaseModel):
    """One patient's record and the lines saying what about them could not be read."""

    record: PatientRecord
    unread: list[str] = Field(default_factory=list)


def unread_line(rejection: Rejection) -> str:
    """'could not read MedicationRequest 'mr1' (MedicationRequest.status = 'x'): reason'."""
    what = rejection.resource_type or "an entry"
    ident = f" {rejection.resource_id!r}" if rejection.resource_id else ""
    at = f" at entry {rejection.position}" if rejection.position is not None else ""
    field = rejection.field or "?"
    value = f" = {rejection.value}" if rejection.value is not None else ""
    return f"could not read {what}{ident}{at} ({field}{value}): {rejection.reason}; not checked"


def patient_input(report: IngestReport, where: str = "input") -> TreatmentInput:
    """The one patient of a report, or InputError saying exactly what is missing."""
    if len(report.records) > 1:
        ids = ", ".join(r.patient.id for r in report.records[:5])
        raise InputError(
            f"{where} holds {len(report.records)} patients ({ids}); treatment needs exactly one"
        )
    if not report.records:
        about = [r for r in report.rejections if r.resource_type in {"Patient", "PatientRecord"}]
        why = "; ".join(r.line() for r in about[:3]) or "it has no Patient resource"
        raise InputError(f"{where}: no readable patient: {why}")
    record = report.records[0]
    pid = record.patient.id
    relevant = [
        r for r in report.rejections if r.resource_type in _RELEVANT and r.patient_id in (None, pid)
    ]
    return TreatmentInput(record=record, unread=[unread_line(r) for r in relevant])


def read_patient_file(path: Path, as_of: datetime | None = None) -> TreatmentInput:
    """One patient from a file (FHIR Bundle or medlm PatientRecord JSON)."""
    return patient_input(read_path(path, as_of=as_of), where=str(path))


def read_patient_document(
    document: Any, where: str = "input", as_of: datetime | None = None
) -> TreatmentInput:
    """One patient from parsed JSON (a FHIR Bundle or medlm PatientRecord JSON)."""
    return patient_input(read_document(document, source=where, as_of=as_of), where=where)


def record_input(record: PatientRecord, as_of: datetime | None = None) -> TreatmentInput:
    """A PatientRecord built in code or sent as JSON, through the same boundary as files."""
    return read_patient_document(record.model_dump(mode="json"), where="record", as_of=as_of)
