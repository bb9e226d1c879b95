"""Routes for CDS Hooks services: discovery and the treatment patient-view / order-sign hooks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from medlm.errors import MedlmError
from medlm.records.read import read_cds_request
from medlm.records.report import Rejection
from medlm.records.timing import resolve_as_of
from medlm.service.auth import audit_patients
from medlm.service.responses import IDENTIFIED, READS_BODY, errors
from medlm.service.routers.treatment import RecommenderDep
from medlm.treatment import cds
from medlm.treatment.inputs import patient_input

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


def _problem(rejection: Rejection) -> str:
    """A malformed part of the request: its path, the entry index when there is one, why."""
    entry = "" if rejection.position is None else f" (entry {rejection.position})"
    return f"{rejection.field}{entry}: {rejection.reason}"


@router.post(
    "/cds-services/{service_id}",
    response_model=cds.CdsResponse,
    responses=errors(
        *IDENTIFIED,
        *READS_BODY,
        notes={
            404: "No CDS service of this id.",
            412: "patient-view without the Patient in the prefetch (this service does not "
            "query FHIR).",
        },
    ),
)
def call_service(
    service_id: str, body: CdsRequest, recommender: RecommenderDep, request: Request
) -> cds.CdsResponse | JSONResponse:
    """Run a hook on the prefetched patient data at the time of the call.

    patient-view needs the Patient in the prefetch (412 otherwise); order-sign checks the draft
    orders even without it (what could not be checked is listed). 400 naming the path when a
    prefetch value or draftOrders is malformed; 422 when the patient cannot be judged (e.g.
    deceased).

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
    if service_id == cds.PATIENT_VIEW and not cds.has_patient(body.prefetch):
        return _outcome(412, "prefetch must hold the Patient; this service does not query FHIR")
    as_of = resolve_as_of(None)  # the request arrives now: CDS Hooks calls carry no time
    try:
        ingest = read_cds_request(body.model_dump(mode="json"), as_of=as_of)
        bad = cds.malformed(ingest)
        if bad:
            raise HTTPException(status_code=400, detail="; ".join(_problem(r) for r in bad))
        given = patient_input(ingest, where="CDS Hooks request")
        if service_id == cds.ORDER_SIGN:
            report = recommender.check(given.record, as_of=as_of, unread=given.unread)
        else:
            report = recommender.recommend(given.record, as_of=as_of, unread=given.unread)
    except MedlmError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return cds.cards(service_id, report)
