"""Routes for FHIR records: validate a bundle, and ingest it into the (encrypted) store."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from medlm.errors import InputError, MedlmError
from medlm.records.read import read_document
from medlm.records.report import IngestReport
from medlm.service.auth import audit_patients
from medlm.service.batch_limit import check_batch
from medlm.service.deps import EngineDep, SettingsDep
from medlm.service.responses import READS_BODY, errors
from medlm.settings import LimitsSettings

router = APIRouter(prefix="/v1/records", tags=["records"])

_BUNDLE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/fhir+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
        "description": "A FHIR R4 Bundle (types no application reads are counted as skipped) "
        "or a single FHIR resource, or medlm PatientRecord JSON.",
    }
}


def _items(document: Any) -> int:
    """How many items a document carries: a Bundle's entries, a list's elements, else one."""
    if isinstance(document, dict) and isinstance(document.get("entry"), list):
        return len(document["entry"])
    return len(document) if isinstance(document, list) else 1


def _read(body: bytes, limits: LimitsSettings) -> IngestReport:
    """The normalized report of a request body (the same reader as `medlm ingest`); 413 when
    it carries more items than `limits.max_batch_items`."""
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"request body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise InputError("request body is not valid JSON: nested too deeply") from exc
    check_batch(_items(document), limits, "records")
    return read_document(document, source="request body")


class IngestResult(BaseModel):
    """What an ingest stored: the run id, the patients and the counts."""

    run_id: int
    patient_ids: list[str]
    resources_accepted: int
    rejection_count: int


@router.post("/validate", openapi_extra=_BUNDLE_BODY, responses=errors(*READS_BODY))
async def validate(request: Request, settings: SettingsDep) -> IngestReport:
    """Validate a FHIR R4 Bundle or resource: the normalized records, every rejection with its
    path, the skipped types and the reader's notes (the report `medlm ingest` prints).

    A document with rejected resources still answers 200 with the report; a body that is not
    JSON, or an empty Bundle, answers 422 with the reason; more entries than
    `limits.max_batch_items` answer 413.
    """
    body = await request.body()
    try:
        report = await run_in_threadpool(_read, body, settings.limits)
    except MedlmError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    audit_patients(request, [r.patient.id for r in report.records])
    return report


@router.post(
    "/ingest",
    openapi_extra=_BUNDLE_BODY,
    responses=errors(
        *READS_BODY, notes={503: "The record store cannot encrypt (no or wrong key)."}
    ),
)
async def ingest(request: Request, settings: SettingsDep, engine: EngineDep) -> IngestResult:
    """Validate a FHIR R4 Bundle and store its accepted records (encrypted at rest).

    Answers 422 for a body that is not a usable Bundle, 503 when the store cannot encrypt
    (no or wrong key configured).
    """
    from medlm.privacy.encryption import EncryptionKeyError
    from medlm.storage.repository import RESOURCE_KINDS, save_report

    body = await request.body()
    try:
        report = await run_in_threadpool(_read, body, settings.limits)
    except MedlmError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    ids = [r.patient.id for r in report.records]
    audit_patients(request, ids)
    try:
        run_id = await run_in_threadpool(save_report, engine, report)
    except EncryptionKeyError as exc:
        raise HTTPException(status_code=503, detail=f"record store unavailable: {exc}") from exc
    return IngestResult(
        run_id=run_id,
        patient_ids=ids,
        resources_accepted=sum(len(getattr(r, k)) for r in report.records for k in RESOURCE_KINDS),
        rejection_count=len(report.rejections),
    )
