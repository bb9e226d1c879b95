"""Routes for treatment recommendations and safety checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, model_validator

from medlm.errors import MedlmError
from medlm.records import PatientRecord
from medlm.service.auth import audit_patients
from medlm.treatment import TreatmentRecommender, TreatmentReport
from medlm.treatment.fhir import report_bundle
from medlm.treatment.inputs import record_from_bundle
from medlm.treatment.who_eml import load_who_categories


def _build(state: Any) -> TreatmentRecommender:
    state.treatment_recommender = TreatmentRecommender(pregnancy_categories=load_who_categories())
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
    try:
        record = body.record if body.record is not None else record_from_bundle(body.bundle or {})
        audit_patients(request, [record.patient.id])
        report = recommender.recommend(record)
    except MedlmError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return RecommendResponse(
        report=report, fhir=report_bundle(report) if body.include_fhir else None
    )
