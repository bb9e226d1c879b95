"""Cross-validation refits per fold; external validation evaluates each other site."""

from __future__ import annotations

import numpy as np
import pandas as pd

from medlm.evaluation.validation import cross_validate, external_validation
from medlm.risk import DiseaseRiskPredictor


def _table(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.5 * x[:, 0] - x[:, 1])))).astype(int)
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1]}), y


def test_repeated_cv_runs_folds_times_repeats_and_pools_out_of_fold_predictions() -> None:
    X, y = _table()
    calls: list[int] = []
    result = cross_validate(
        DiseaseRiskPredictor("logreg"),
        X,
        y,
        model="logreg",
        folds=3,
        repeats=2,
        on_fold=lambda: calls.append(1),
        n_boot=100,
    )
    assert len(calls) == 6
    assert result.pooled.n == len(y)
    assert 0.75 < result.auroc.mean < 0.95
    assert result.calibration_slope.mean == np.clip(result.calibration_slope.mean, 0.7, 1.3)


def test_external_validation_reports_each_other_site_and_not_the_training_site() -> None:
    X, y = _table(360)
    sites = ["A"] * 120 + ["B"] * 120 + ["C"] * 120
    _, results = external_validation(
        DiseaseRiskPredictor("logreg"), X, y, sites, train_site="A", model="logreg", n_boot=100
    )
    assert [m.model for m in results] == ["logreg: A → B", "logreg: A → C"]
    assert all(m.n == 120 for m in results)
