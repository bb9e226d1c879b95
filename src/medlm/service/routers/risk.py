"""Routes for disease risk prediction: POST /v1/risk/{model}/predict, GET /v1/risk/models."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from pydantic import BaseModel, model_validator

from medlm.errors import MedlmError
from medlm.records import PatientRecord
from medlm.records.timing import resolve_as_of
from medlm.risk import DiseaseRiskPredictor, RiskScore
from medlm.risk.batch import ModelSummary, PatientRefusal, predict_batch
from medlm.risk.population import Population
from medlm.risk.tiers import TierCutpoints
from medlm.service.auth import audit_patients
from medlm.settings import Settings

logger = logging.getLogger(__name__)


def model_folder(settings: Settings) -> Path:
    """Where saved risk models are looked for (one sub-folder per model)."""
    return settings.risk.model_dir or settings.data_dir / "risk-models"


def load_models(settings: Settings) -> dict[str, DiseaseRiskPredictor]:
    """Every saved model under the model folder, by folder name; bad folders are logged."""
    from medlm.risk.persist import META_FILE

    folder = model_folder(settings)
    models: dict[str, DiseaseRiskPredictor] = {}
    if not folder.is_dir():
        return models
    for path in sorted(p for p in folder.iterdir() if (p / META_FILE).is_file()):
        try:
            model = DiseaseRiskPredictor.load(path)
        except MedlmError as exc:
            logger.error("risk model %s not loaded: %s", path.name, exc)
            continue
        model.low_confidence_missing_share = settings.risk.low_confidence_missing_share
        models[path.name] = model
    return models


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the saved risk models once, at start."""
    app.state.risk_models = load_models(cast(Settings, app.state.settings))
    yield


router = APIRouter(prefix="/v1/risk", tags=["risk"], lifespan=_lifespan)


def get_models(request: Request) -> dict[str, DiseaseRiskPredictor]:
    state = request.app.state
    if getattr(state, "risk_models", None) is None:
        state.risk_models = load_models(cast(Settings, state.settings))
    return cast(dict[str, DiseaseRiskPredictor], state.risk_models)


ModelsDep = Annotated[dict[str, DiseaseRiskPredictor], Depends(get_models)]


class PredictRequest(BaseModel):
    """Patients as one medlm PatientRecord, a list of them, or one FHIR R4 Bundle.

    `as_of` is when the patients are judged (ages, freshness of values, deaths); default now.
    """

    record: PatientRecord | None = None
    records: list[PatientRecord] | None = None
    bundle: dict[str, Any] | None = None
    as_of: datetime | None = None

    @model_validator(mode="after")
    def _one_input(self) -> PredictRequest:
        given = [x for x in (self.record, self.records, self.bundle) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'record', 'records' or 'bundle'")
        return self


class PredictResponse(BaseModel):
    model: str
    as_of: datetime
    about_model: ModelSummary | None = None
    scores: list[RiskScore]
    risk_assessments: list[dict[str, Any]]
    refused: list[PatientRefusal] = []
    rejected: list[str] = []
    skipped: str | None = None


class ModelInfo(BaseModel):
    name: str
    family: str
    outcome: str
    columns: list[str]
    cutpoints: TierCutpoints | None = None
    population: Population | None = None


@router.get("/models", response_model=list[ModelInfo])
def list_models(models: ModelsDep) -> list[ModelInfo]:
    """The risk models this service has loaded."""
    return [
        ModelInfo(
            name=k,
            family=m.family,
            outcome=m.outcome,
            columns=m.feature_names_in_,
            cutpoints=m.tier_cutpoints_,
            population=m.population_,
        )
        for k, m in models.items()
    ]


@router.post("/{model}/predict", response_model=PredictResponse)
def predict(
    model: str, body: PredictRequest, models: ModelsDep, request: Request
) -> PredictResponse:
    """Probability, tier, reasons and a FHIR RiskAssessment for each patient."""
    from medlm.risk.inputs import patients_from_document

    predictor = models.get(model)
    if predictor is None:
        raise HTTPException(status_code=404, detail=f"no risk model {model!r}; see /v1/risk/models")
    settings = cast(Settings, request.app.state.settings)
    when = resolve_as_of(body.as_of)
    try:
        report = patients_from_document(_document(body), source="request", as_of=when)
        audit_patients(request, [r.patient.id for r in report.records])
        batch = predict_batch(
            predictor, report, as_of=when, freshness_days=settings.records.freshness_days
        )
        fhir = [s.to_fhir() for s in batch.scores]
    except MedlmError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return PredictResponse(
        model=model,
        as_of=batch.as_of,
        scores=batch.scores,
        about_model=batch.model,
        risk_assessments=fhir,
        refused=batch.refused,
        rejected=batch.rejected,
        skipped=batch.skipped,
    )


def _document(body: PredictRequest) -> Any:
    """The request's patients as JSON for the records boundary (records are read there too)."""
    if body.bundle is not None:
        return body.bundle
    records = [body.record] if body.record is not None else body.records or []
    return [r.model_dump(mode="json") for r in records]
