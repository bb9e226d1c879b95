"""Acceptance on stratified 70/30 Pima splits: AUROC >= 0.80 and a calibration slope near 1."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sklearn.model_selection import train_test_split
from typer.testing import CliRunner

from medlm.cli.app import app


@pytest.mark.slow
def test_gbm_on_a_random_stratified_pima_split_meets_the_acceptance_bar(
    runner: CliRunner,
    cli_env: Path,
    pima_frame: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MEDLM_RISK__BOOTSTRAP", "200")
    train, test = train_test_split(
        pima_frame, test_size=0.3, stratify=pima_frame["Outcome"], random_state=0
    )
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    trained = runner.invoke(
        app,
        [
            "risk",
            "train",
            "--data",
            str(tmp_path / "train.csv"),
            "--target",
            "Outcome",
            "--model",
            "gbm",
            "--out",
            str(tmp_path / "M"),
        ],
    )
    assert trained.exit_code == 0, trained.output
    evaluated = runner.invoke(
        app,
        [
            "risk",
            "evaluate",
            "--model",
            str(tmp_path / "M"),
            "--data",
            str(tmp_path / "test.csv"),
            "--target",
            "Outcome",
            "--json",
        ],
    )
    assert evaluated.exit_code == 0, evaluated.output
    metrics = json.loads(evaluated.stdout)
    assert metrics["n"] == 231
    assert metrics["auroc"] >= 0.80
    assert 0.7 <= metrics["calibration_slope"] <= 1.3


@pytest.mark.slow
def test_gbm_meets_the_bar_on_nearly_every_random_split(pima_frame: pd.DataFrame) -> None:
    """Over 20 stratified 70/30 splits (seeds 0-19): the bar is met on at least 17 and the mean
    AUROC stays at the honest literature level. One split's AUROC on 231 women has a standard
    deviation of about 0.025, so no honest model meets it on every split (docs/benchmarks.md)."""
    import numpy as np

    from medlm.evaluation.metrics import auroc, calibration_intercept_slope
    from medlm.risk.estimator import DiseaseRiskPredictor

    X, y = pima_frame.drop(columns=["Outcome"]), pima_frame["Outcome"].to_numpy()
    met, aurocs = 0, []
    for seed in range(20):
        train, test = train_test_split(
            np.arange(len(y)), test_size=0.3, stratify=y, random_state=seed
        )
        model = DiseaseRiskPredictor("gbm").fit(X.iloc[train], y[train])
        p = model.predict_proba(X.iloc[test])[:, 1]
        area, (_, slope) = auroc(y[test], p), calibration_intercept_slope(y[test], p)
        aurocs.append(area)
        met += int(area >= 0.80 and 0.7 <= slope <= 1.3)
    assert met >= 17, met
    assert 0.82 <= float(np.mean(aurocs)) <= 0.87  # far above ~0.84 would suggest leakage
