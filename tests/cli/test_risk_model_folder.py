"""`medlm risk train` without --out saves into the model folder the service lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.datasets import load
from medlm.records.fhir import to_bundle
from medlm.service.app import create_app
from medlm.settings import Settings


@pytest.fixture
def trained(runner: CliRunner, cli_env: Path) -> Path:
    result = runner.invoke(app, ["risk", "train", "--dataset", "pima", "--json"])
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.stdout)["path"])


def test_train_without_out_saves_under_data_dir_risk_models_and_the_service_lists_it(
    trained: Path, cli_env: Path
) -> None:
    assert trained == cli_env / "risk-models" / "pima"
    with TestClient(create_app(Settings(data_dir=cli_env))) as client:
        names = [m["name"] for m in client.get("/v1/risk/models").json()]
    assert names == ["pima"]


def test_train_without_out_uses_the_configured_model_dir(
    runner: CliRunner, cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDLM_RISK__MODEL_DIR", str(tmp_path / "models"))
    args = ["risk", "train", "--dataset", "pima", "--name", "diabetes", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert Path(json.loads(result.stdout)["path"]) == tmp_path / "models" / "diabetes"


def test_predict_finds_a_model_by_its_name_in_the_model_folder(
    runner: CliRunner, trained: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(to_bundle(load("pima").to_records(limit=1))), encoding="utf-8")
    result = runner.invoke(app, ["risk", "predict", str(path), "--model", "pima", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scores"][0]["patient_id"] == "pima-0001"


def test_a_model_name_that_is_no_folder_name_is_refused(runner: CliRunner, cli_env: Path) -> None:
    args = ["risk", "train", "--dataset", "pima", "--name", "../elsewhere"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "cannot name a folder" in result.stderr
    assert not (cli_env / "elsewhere").exists()
