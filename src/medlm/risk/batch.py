"""Risk for a batch of patients read at the boundary: scores, refusals and what was not read.

A deceased patient is refused by name with the date of death and the rest of the batch is
scored; the boundary's rejections and skipped resources travel with the result, so the output
says everything that was not used.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from pydantic import BaseModel, Field

from medlm.records.report import IngestReport
from medlm.records.timing import deceased_reason, resolve_as_of
from medlm.risk.estimator import DiseaseRiskPredictor
from medlm.risk.population import NOT_STATED, Population
from medlm.risk.result import RiskScore
from medlm.risk.tiers import TierCutpoints


class PatientRefusal(BaseModel):
    """A patient who gets no score, and why."""

    patient_id: str
    reason: str


class ModelSummary(BaseModel):
    """The model a batch was scored with: its own tier cut-points and intended population."""

    name: str
    family: str
    outcome: str
    cutpoints: TierCutpoints
    population: Population | None = None
    population_note: str | None = Field(
        default=None, description="Said when the model has no stated population."
    )

    @classmethod
    def of(cls, model: DiseaseRiskPredictor) -> ModelSummary:
        population = model.population_
        return cls(
            name=model.name,
            family=model.family,
            outcome=model.outcome,
            cutpoints=model.tier_cutpoints_,
            population=population,
            population_note=None if population is not None else NOT_STATED,
        )


class RiskBatch(BaseModel):
    """The scores of a batch, the patients refused, and what the boundary could not read.

    Every living patient has a score; one outside the model's population has no tier and says
    why (`score.population`), so scores + refused cover every patient read.
    """

    as_of: datetime
    model: ModelSummary | None = None
    scores: list[RiskScore] = Field(default_factory=list)
    refused: list[PatientRefusal] = Field(default_factory=list)
    rejected: list[str] = Field(default_factory=list, description="Boundary rejection lines.")
    skipped: str | None = Field(default=None, description="Resources no application reads.")
    notes: list[str] = Field(default_factory=list, description="What the boundary derived.")


def predict_batch(
    model: DiseaseRiskPredictor,
    report: IngestReport,
    *,
    as_of: datetime | date | None = None,
    freshness_days: Mapping[str, float] | None = None,
) -> RiskBatch:
    """Score every living patient of the report at `as_of` (default now); refuse the others."""
    when = resolve_as_of(as_of)
    living, refused = [], []
    for record in report.records:
        reason = deceased_reason(record.patient, when)
        if reason is None:
            living.append(record)
        else:
            refused.append(PatientRefusal(patient_id=record.patient.id, reason=reason))
    scores = (
        model.predict_records(living, as_of=when, freshness_days=freshness_days) if living else []
    )
    return RiskBatch(
        as_of=when,
        model=ModelSummary.of(model),
        scores=scores,
        refused=refused,
        rejected=[r.line() for r in report.rejections],
        skipped=report.skipped_line(),
        notes=list(report.notes),
    )
