"""`medlm risk predict` says who is outside the model's population and shows its cut-points."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.risk.bundles import bundle, condition, quantity
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.datasets import load

BMI = ("39156-5", "Body mass index", 31.0, "kg/m2")


@pytest.fixture(scope="module")
def pima_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("risk") / "pima"
    result = CliRunner().invoke(
        app, ["risk", "train", "--dataset", "pima", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["population"]["sex"] == "female"
    assert "prevalence" in summary["cutpoints"]["rule"]
    return out


def _predict(runner: CliRunner, model: Path, tmp: Path, *args: str, **patient: str) -> str:
    resources = [quantity("bmi", *BMI)]
    if patient.pop("diabetes", None):
        resources.append(condition("c-t2d", "44054006", "Diabetes mellitus type 2 (disorder)"))
    path = tmp / "bundle.json"
    path.write_text(json.dumps(bundle(*resources, **patient)))
    result = runner.invoke(
        app, ["risk", "predict", str(path), "--model", str(model), "--as-of", "2026-02-01", *args]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_predict_json_shows_population_status_and_the_models_cutpoints(
    runner: CliRunner, cli_env: Path, pima_model: Path, tmp_path: Path
) -> None:
    out = _predict(runner, pima_model, tmp_path, "--json", gender="male", birth_date="1980-01-01")
    body = json.loads(out)
    (score,) = body["scores"]
    assert score["tier"] is None
    assert score["population"]["status"] == "outside"
    assert body["model"]["cutpoints"] == score["cutpoints"]
    low, high = body["model"]["cutpoints"]["low_below"], body["model"]["cutpoints"]["high_from"]
    assert 0.1 < low < high < 0.6
    assert body["model"]["population"]["dataset"] == "pima"


def test_predict_text_says_outside_the_population_with_the_reason(
    runner: CliRunner, cli_env: Path, pima_model: Path, tmp_path: Path
) -> None:
    out = _predict(
        runner, pima_model, tmp_path, gender="female", birth_date="1980-01-01", diabetes="yes"
    )
    assert "outside the model's population" in out
    assert "already has the outcome" in out
    assert "low below" in out and "training prevalence" in out


def test_a_woman_without_diabetes_gets_a_tier_and_sees_what_was_imputed(
    runner: CliRunner, cli_env: Path, pima_model: Path, tmp_path: Path
) -> None:
    out = _predict(runner, pima_model, tmp_path, "--json", gender="female", birth_date="1986-01-01")
    (score,) = json.loads(out)["scores"]
    assert score["tier"] in ("low", "medium", "high")
    assert score["population"]["status"] == "inside"
    assert "Glucose" in score["imputed"] and "training median" in score["imputed"]["Glucose"]


def _train_csv(runner: CliRunner, tmp: Path, *args: str) -> dict:
    csv = tmp / "pima.csv"
    load("pima").frame.to_csv(csv, index=False)
    base = ["risk", "train", "--data", str(csv), "--target", "Outcome", "--json"]
    result = runner.invoke(app, [*base, "--out", str(tmp / "M"), *args])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_a_model_trained_on_a_csv_states_no_population_unless_given(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    assert _train_csv(runner, tmp_path)["population"] is None
    out = _predict(runner, tmp_path / "M", tmp_path, gender="male", birth_date="1980-01-01")
    assert "without a stated population" in out
    given = _train_csv(runner, tmp_path, "--population", "pima")
    assert given["population"]["dataset"] == "pima"


def test_an_unknown_population_is_a_clean_error(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    csv = tmp_path / "pima.csv"
    load("pima").frame.to_csv(csv, index=False)
    args = ["risk", "train", "--data", str(csv), "--target", "Outcome", "--out", str(tmp_path)]
    result = runner.invoke(app, [*args, "--population", "martians"])
    assert result.exit_code != 0
    assert "no population is recorded for 'martians'" in result.output
