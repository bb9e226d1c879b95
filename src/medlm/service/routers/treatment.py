"""Routes for treatment recommendations and safety checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, model_validator

from medlm.errors import MedlmError
from medlm.records import PatientRecord
from medlm.records.timing import resolve_as_of
from medlm.service.auth import audit_patients
from medlm.service.deps import RecommenderDep
from medlm.service.responses import READS_BODY, errors
from medlm.treatment import TreatmentReport
from medlm.treatment.fhir import report_bundle
from medlm.treatment.inputs import read_patient_document, record_input

__all__ = ["RecommenderDep", "router"]  # RecommenderDep: also used by the CDS Hooks router


router = APIRouter(prefix="/v1/treatment", tags=["treatment"])


class RecommendRequest(BaseModel):
    """One patient: a medlm PatientRecord or a FHIR R4 Bundle."""

    record: PatientRecord | None = None
    bundle: dict[str, Any] | None = None
    include_fhir: bool = False
    as_of: datetime | None = Field(
        default=None, description="Judge the patient at this time (default: now)."
    )

    @model_validator(mode="after")
    def _one_input(self) -> RecommendRequest:
        if (self.record is None) == (self.bundle is None):
            raise ValueError("give exactly one of 'record' or 'bundle'")
        return self


class RecommendResponse(BaseModel):
    report: TreatmentReport
    fhir: dict[str, Any] | None = None


@router.post("/recommend", response_model=RecommendResponse, responses=errors(*READS_BODY))
def recommend(
    body: RecommendRequest, recommender: RecommenderDep, request: Request
) -> RecommendResponse:
    """Ranked, cited recommendations, safety issues and missing data for one patient."""
    when = resolve_as_of(body.as_of)
    try:
        given = (
            record_input(body.record, as_of=when)
            if body.record is not None
            else read_patient_document(body.bundle or {}, where="bundle", as_of=when)
        )
        audit_patients(request, [given.record.patient.id])
        report = recommender.recommend(given.record, as_of=when, unread=given.unread)
    except MedlmError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return RecommendResponse(
        report=report, fhir=report_bundle(report) if body.include_fhir else None
    )
