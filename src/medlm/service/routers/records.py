"""Routes for FHIR records ingest and validation."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from medlm.errors import MedlmError
from medlm.records.fhir import IngestReport, read_bundle

router = APIRouter(prefix="/v1/records", tags=["records"])

_BUNDLE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/fhir+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
        "description": "A FHIR R4 Bundle of Patient, Observation, Condition, "
        "MedicationStatement, MedicationRequest, AllergyIntolerance and DocumentReference.",
    }
}


@router.post("/validate", openapi_extra=_BUNDLE_BODY)
async def validate(request: Request) -> IngestReport:
    """Validate a FHIR R4 Bundle: the normalized records and every rejection with its path.

    A bundle with rejected resources still answers 200 with the report; a body that is not
    JSON, not a Bundle, or an empty Bundle answers 422 with the reason.
    """
    body = await request.body()
    try:
        return await run_in_threadpool(read_bundle, body)
    except MedlmError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
