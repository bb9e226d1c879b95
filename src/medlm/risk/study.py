"""Validation studies of risk models: held-out evaluation, CV, external sites, baselines.

Turns a fitted model and labelled data into the evaluation records and the report folder;
the CLI and the demo call these, and the benchmarks read the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from medlm.errors import InputError
from medlm.evaluation.evaluate import evaluate_probabilities
from medlm.evaluation.metrics import auroc, bootstrap_ci
from medlm.evaluation.results import BaselineResult, Metrics
from medlm.explain import global_importance
from medlm.knowledge.risk_scores import load_score
from medlm.risk.baselines import framingham_on_frame, partial_points
from medlm.risk.data import RiskData
from medlm.risk.estimator import DiseaseRiskPredictor


def require_target(data: RiskData) -> np.ndarray:
    if data.target is None:
        raise InputError(f"{data.source}: evaluation needs a target column")
    return data.target


def evaluate_model(
    model: DiseaseRiskPredictor, data: RiskData, *, n_boot: int = 1000, label: str | None = None
) -> tuple[Metrics, np.ndarray]:
    """Held-out metrics of a fitted model on labelled data, and its probabilities."""
    y = require_target(data)
    p = model.predict_proba(data.features)[:, 1]
    metrics = evaluate_probabilities(
        y,
        p,
        model=label or f"{model.name} ({model.family})",
        cutpoints=model.tier_cutpoints_.pair,
        groups=data.groups,
        n_boot=n_boot,
    )
    return metrics, p


def importance(
    model: DiseaseRiskPredictor, data: RiskData, max_rows: int | None = None, seed: int = 0
) -> tuple[dict[str, float], list[str]]:
    """Mean |log-odds contribution| per input over these rows, or over a seeded random sample
    of `max_rows` of them when there are more; with the report note that says so."""
    features, notes = data.features, []
    if max_rows is not None and len(features) > max_rows:
        rows = np.random.default_rng(seed).choice(len(features), size=max_rows, replace=False)
        features = features.iloc[np.sort(rows)]
        notes = [
            f"Global importance is averaged over a seeded random sample of {max_rows} of the "
            f"{len(data.features)} rows (setting risk.importance_rows)."
        ]
    return global_importance(model.contributions(features), model.feature_names_in_), notes


def _points_baseline(
    data: RiskData, y: np.ndarray, score: str, age: str, bmi: str, n_boot: int
) -> BaselineResult:
    points, missing = partial_points(data.features, score, age=age, bmi=bmi, male=False)
    table = load_score(score)
    points = points / max(points.max(), 1.0)  # ranks only: AUROC is unchanged by scaling
    return BaselineResult(
        score=table.name,
        version=table.version,
        citation=table.citation,
        n=len(y),
        auroc=auroc(y, points),
        auroc_ci=bootstrap_ci(auroc, y, points, n_boot=n_boot),
        missing_items=missing,
        note=(
            f"scored from age and BMI only (outcome of the score: {table.outcome}); points "
            "rank patients but are not probabilities, so calibration is not assessed"
        ),
    )


def _framingham_baseline(data: RiskData, y: np.ndarray, n_boot: int) -> BaselineResult:
    p = framingham_on_frame(data.features)
    keep = ~np.isnan(p)
    table = load_score("framingham_2008")
    metrics = evaluate_probabilities(y[keep], p[keep], model=table.name, n_boot=n_boot)
    return BaselineResult(
        score=table.name,
        version=table.version,
        citation=table.citation,
        n=int(keep.sum()),
        auroc=metrics.auroc,
        auroc_ci=metrics.auroc_ci,
        note=(
            "predicts 10-year general CVD while the extract's outcome is 10-year CHD (a subset "
            f"of CVD); mean predicted {p[keep].mean():.1%} vs observed CHD {y[keep].mean():.1%}; "
            f"{int((~keep).sum())} rows lacking an input were left out; BMI-model coefficients "
            "not verified against the primary source"
        ),
        metrics=metrics,
        curve=(y[keep].astype(int).tolist(), p[keep].tolist()),
    )


BASELINES: dict[str, Callable[[RiskData, np.ndarray, int], list[BaselineResult]]] = {
    "pima": lambda d, y, b: [
        _points_baseline(d, y, "findrisc", "Age", "BMI", b),
        _points_baseline(d, y, "ada_risk_test", "Age", "BMI", b),
    ],
    "framingham": lambda d, y, b: [_framingham_baseline(d, y, b)],
}


def baselines_for(
    data: RiskData, columns: Sequence[str], n_boot: int = 1000
) -> list[BaselineResult]:
    """The clinical scores that apply to this data (by dataset name or Pima-like columns)."""
    y = require_target(data)
    key = data.source
    if key not in BASELINES and {"Age", "BMI", "Glucose"} <= set(columns):
        key = "pima"
    if key not in BASELINES or ("Age" not in columns and key == "pima"):
        return []
    return BASELINES[key](data, y, n_boot)


def missing_counts(model: DiseaseRiskPredictor, data: RiskData) -> dict[str, int]:
    """Missing values per model input, after impossible zeros became missing."""
    frame = model.pipeline_.named_steps["zeros"].transform(data.features[model.feature_names_in_])
    return {str(c): int(n) for c, n in frame.isna().sum().items() if n}


def comparison_notes(metrics: Metrics, baselines: Sequence[BaselineResult]) -> list[str]:
    """Say plainly whether the model beats the best clinical score on these patients."""
    if not baselines:
        return []
    best = max(baselines, key=lambda b: b.auroc)
    overlap = metrics.auroc_ci[0] <= best.auroc_ci[1] and best.auroc_ci[0] <= metrics.auroc_ci[1]
    if metrics.auroc > best.auroc and not overlap:
        verdict = "beats it (95% CIs do not overlap)"
    elif metrics.auroc > best.auroc:
        verdict = "is higher, but the 95% CIs overlap: not a demonstrated improvement"
    else:
        verdict = "does NOT beat it"
    return [
        f"{metrics.model} AUROC {metrics.auroc:.3f} vs the best clinical score, {best.score}, "
        f"{best.auroc:.3f}: the model {verdict}"
    ]


def baseline_curves(
    baselines: Sequence[BaselineResult],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Plot curves of the baselines that give probabilities."""
    return {
        b.score: (np.asarray(b.curve[0]), np.asarray(b.curve[1]))
        for b in baselines
        if b.curve is not None
    }
