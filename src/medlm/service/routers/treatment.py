"""Routes for treatment recommendations and safety checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field, model_validator

from medlm.errors import MedlmError
from medlm.records import PatientRecord
from medlm.records.timing import resolve_as_of
from medlm.service.auth import audit_patients
from medlm.settings import Settings
from medlm.treatment import TreatmentRecommender, TreatmentReport
from medlm.treatment.fhir import report_bundle
from medlm.treatment.inputs import read_patient_document, record_input
from medlm.treatment.who_eml import load_who_categories


def _build(state: Any) -> TreatmentRecommender:
    settings = getattr(state, "settings", None)
    fresh = settings.records.freshness_days if isinstance(settings, Settings) else None
    state.treatment_recommender = TreatmentRecommender(
        pregnancy_categories=load_who_categories(), freshness_days=fresh
    )
    return cast(TreatmentRecommender, state.treatment_recommender)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the treatment knowledge and the drug dictionary once, so hooks answer warm."""
    _build(app.state).matcher.load()
    yield


router = APIRouter(prefix="/v1/treatment", tags=["treatment"], lifespan=_lifespan)


def get_recommender(request: Request) -> TreatmentRecommender:
    """The app's recommender (built in lifespan; built here if the app runs without one)."""
    state = request.app.state
    if getattr(state, "treatment_recommender", None) is None:
        return _build(state)
    return cast(TreatmentRecommender, state.treatment_recommender)


RecommenderDep = Annotated[TreatmentRecommender, Depends(get_recommender)]


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


@router.post("/recommend", response_model=RecommendResponse)
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
