"""Study helpers: missing-value counts and the plain comparison with clinical scores."""

from __future__ import annotations

import pandas as pd
import pytest

from medlm.evaluation.results import BaselineResult, Metrics
from medlm.risk import DiseaseRiskPredictor
from medlm.risk.data import RiskData
from medlm.risk.study import comparison_notes, importance, missing_counts


def _metrics(auroc: float, ci: tuple[float, float]) -> Metrics:
    return Metrics(
        model="m",
        n=100,
        events=30,
        prevalence=0.3,
        auroc=auroc,
        auroc_ci=ci,
        auprc=0.5,
        brier=0.2,
        calibration_intercept=0.0,
        calibration_slope=1.0,
        ece=0.02,
    )


def _baseline(auroc: float, ci: tuple[float, float]) -> BaselineResult:
    return BaselineResult(
        score="findrisc", version="v", citation="c", n=100, auroc=auroc, auroc_ci=ci
    )


@pytest.mark.parametrize(
    ("model", "baseline", "verdict"),
    [
        ((0.85, (0.80, 0.90)), (0.70, (0.65, 0.75)), "beats it"),
        ((0.80, (0.74, 0.86)), (0.75, (0.70, 0.80)), "CIs overlap"),
        ((0.70, (0.65, 0.75)), (0.72, (0.67, 0.77)), "does NOT beat it"),
    ],
)
def test_comparison_note_says_whether_the_model_beats_the_best_score(
    model: tuple[float, tuple[float, float]],
    baseline: tuple[float, tuple[float, float]],
    verdict: str,
) -> None:
    (note,) = comparison_notes(_metrics(*model), [_baseline(*baseline)])
    assert verdict in note


def test_missing_counts_include_impossible_zeros(pima_frame: pd.DataFrame) -> None:
    X, y = pima_frame.drop(columns="Outcome"), pima_frame["Outcome"].to_numpy()
    model = DiseaseRiskPredictor().fit(X, y)
    counts = missing_counts(model, RiskData(features=X, target=y, ids=[]))
    assert counts["Insulin"] == 374 and counts["Glucose"] == 5
    assert "Pregnancies" not in counts  # zero pregnancies is a real value


def test_importance_averages_over_a_seeded_sample_when_rows_exceed_the_limit(
    pima_frame: pd.DataFrame,
) -> None:
    X, y = pima_frame.drop(columns="Outcome"), pima_frame["Outcome"].to_numpy()
    model = DiseaseRiskPredictor().fit(X, y)
    data = RiskData(features=X, target=y, ids=[])
    every_row, no_notes = importance(model, data)
    assert importance(model, data, max_rows=len(X)) == (every_row, [])  # no sample at the limit
    sampled, notes = importance(model, data, max_rows=200)
    assert (sampled, notes) == importance(model, data, max_rows=200)  # seeded
    assert no_notes == [] and "200 of the 768 rows" in notes[0]
    assert sampled != every_row and set(sampled) == set(every_row)
    assert next(iter(sampled)) == next(iter(every_row)) == "Glucose"  # the same leading input
