"""Routes for disease risk prediction: POST /v1/risk/{model}/predict, GET /v1/risk/models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, model_validator

from medlm.errors import MedlmError
from medlm.records import PatientRecord
from medlm.records.timing import resolve_as_of
from medlm.risk import RiskScore
from medlm.risk.batch import ModelSummary, PatientRefusal, predict_batch
from medlm.risk.population import Population
from medlm.risk.tiers import TierCutpoints
from medlm.service.auth import audit_patients
from medlm.service.batch_limit import check_batch
from medlm.service.deps import ModelsDep, SettingsDep
from medlm.service.responses import READS_BODY, errors

router = APIRouter(prefix="/v1/risk", tags=["risk"])


class PredictRequest(BaseModel):
    """Patients as one medlm PatientRecord, a list of them, or one FHIR R4 Bundle.

    `as_of` is when the patients are judged (ages, freshness of values, deaths); default now.
    """

    record: PatientRecord | None = None
    records: list[PatientRecord] | None = Field(default=None, min_length=1)
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


@router.post(
    "/{model}/predict",
    response_model=PredictResponse,
    responses=errors(*READS_BODY, notes={404: "No risk model of this name is loaded."}),
)
def predict(
    model: str, body: PredictRequest, models: ModelsDep, settings: SettingsDep, request: Request
) -> PredictResponse:
    """Probability, tier, reasons and a FHIR RiskAssessment for each patient.

    An empty `records` list answers 422; more patients than `limits.max_batch_items` 413."""
    from medlm.risk.inputs import patients_from_document

    predictor = models.get(model)
    if predictor is None:
        raise HTTPException(status_code=404, detail=f"no risk model {model!r}; see /v1/risk/models")
    check_batch(_count(body), settings.limits, "records")
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


def _count(body: PredictRequest) -> int:
    """How many patients (or Bundle entries) the request carries."""
    if body.records is not None:
        return len(body.records)
    entries = body.bundle.get("entry") if body.bundle is not None else None
    return len(entries) if isinstance(entries, list) else 1


def _document(body: PredictRequest) -> Any:
    """The request's patients as JSON for the records boundary (records are read there too)."""
    if body.bundle is not None:
        return body.bundle
    records = [body.record] if body.record is not None else body.records or []
    return [r.model_dump(mode="json") for r in records]
