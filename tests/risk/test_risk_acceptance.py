"""Acceptance: a stratified 70/30 Pima split through the CLI gives AUROC >= 0.80, slope ~1."""

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
