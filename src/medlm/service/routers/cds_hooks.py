"""Routes for CDS Hooks services: discovery and the treatment patient-view / order-sign hooks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from medlm.errors import MedlmError
from medlm.service.auth import audit_patients
from medlm.service.routers.treatment import RecommenderDep
from medlm.treatment import cds
from medlm.treatment.inputs import record_from_bundle

router = APIRouter(prefix="", tags=["cds_hooks"])


class CdsRequest(BaseModel):
    """A CDS Hooks service call (FHIR content stays JSON until the record reader)."""

    hook: str
    hookInstance: str
    fhirServer: str | None = None
    fhirAuthorization: dict[str, Any] | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    prefetch: dict[str, Any] | None = None


class Discovery(BaseModel):
    services: list[cds.CdsService]


@router.get("/cds-services", response_model=Discovery)
def discovery() -> Discovery:
    """The services offered; open to any caller, as CDS Hooks clients read it before calling."""
    return Discovery(services=cds.services())


def _outcome(status: int, text: str) -> JSONResponse:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "required", "diagnostics": text}],
    }
    return JSONResponse(status_code=status, content=body)


@router.post("/cds-services/{service_id}", response_model=cds.CdsResponse)
def call_service(
    service_id: str, body: CdsRequest, recommender: RecommenderDep, request: Request
) -> cds.CdsResponse | JSONResponse:
    """Run a hook on the prefetched patient data; 412 when the prefetch lacks the patient.

    Callers need a trusted CDS client JWT or a medlm bearer token (see docs/privacy.md)."""
    patient = body.context.get("patientId")
    audit_patients(request, [patient if isinstance(patient, str) else None])
    known = {s.id: s.hook for s in cds.services()}
    if service_id not in known:
        raise HTTPException(status_code=404, detail=f"no CDS service {service_id!r}")
    if body.hook != known[service_id]:
        raise HTTPException(
            status_code=400, detail=f"service {service_id} answers {known[service_id]!r} only"
        )
    if not body.prefetch or not isinstance(body.prefetch.get("patient"), dict):
        return _outcome(412, "prefetch 'patient' is required; this service does not query FHIR")
    try:
        record = record_from_bundle(cds.request_bundle(body.context, body.prefetch))
        if service_id == cds.ORDER_SIGN:
            report = recommender.check(record)
        else:
            report = recommender.recommend(record)
    except MedlmError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return cds.cards(service_id, report)
