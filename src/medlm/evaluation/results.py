"""Typed evaluation results: held-out metrics, subgroups, cross-validation and comparisons."""

from __future__ import annotations

from pydantic import BaseModel, Field

from medlm.evaluation.metrics import ThresholdMetrics


class SubgroupResult(BaseModel):
    """AUROC within one subgroup (None when the subgroup lacks one of the outcomes)."""

    variable: str
    group: str
    n: int
    events: int
    auroc: float | None
    auroc_ci: tuple[float, float] | None = None


class Metrics(BaseModel):
    """Held-out performance of one model on one data set (TRIPOD+AI performance items)."""

    model: str = Field(description="What produced the probabilities (model name or score).")
    n: int
    events: int
    prevalence: float
    auroc: float
    auroc_ci: tuple[float, float]
    auprc: float
    brier: float
    calibration_intercept: float
    calibration_slope: float
    ece: float
    thresholds: list[ThresholdMetrics] = Field(default_factory=list)
    subgroups: list[SubgroupResult] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class FoldSummary(BaseModel):
    """Mean and spread of a metric over cross-validation folds."""

    mean: float
    sd: float
    low: float
    high: float


class CrossValidationResult(BaseModel):
    """Repeated stratified cross-validation of one estimator configuration."""

    model: str
    folds: int
    repeats: int
    n: int
    auroc: FoldSummary
    brier: FoldSummary
    calibration_slope: FoldSummary
    calibration_intercept: FoldSummary
    pooled: Metrics = Field(description="Metrics on out-of-fold predictions of the first repeat.")
    out_of_fold: list[float] = Field(
        default_factory=list, exclude=True, description="Those predictions, in row order."
    )


class BaselineResult(BaseModel):
    """A published clinical score applied to the same patients, for comparison."""

    score: str
    version: str
    citation: str
    n: int
    auroc: float
    auroc_ci: tuple[float, float]
    missing_items: list[str] = Field(default_factory=list)
    note: str = ""
    metrics: Metrics | None = Field(
        default=None, description="Full metrics when the score gives a probability."
    )
    curve: tuple[list[int], list[float]] | None = Field(
        default=None, exclude=True, description="(outcomes, probabilities) for the plots."
    )
