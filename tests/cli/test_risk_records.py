"""`medlm risk predict` on real-world-shaped US Core bundles (carebundle): ages, units, deaths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import carebundle
import pytest
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.knowledge.concepts import load_concepts
from medlm.risk import DiseaseRiskPredictor, from_dataset

AS_OF = "2026-02-01"  # carebundle dates its results 2026-01-01


@pytest.fixture(scope="module")
def framingham_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = from_dataset("framingham")
    folder = tmp_path_factory.mktemp("model") / "M"
    model = DiseaseRiskPredictor(name="chd-10y", outcome="coronary heart disease in 10 years")
    model.fit(data.features, data.target).save(folder)  # type: ignore[arg-type]
    return folder


def _bundle(profile: str, seed: int) -> dict[str, Any]:
    return json.loads(carebundle.to_json(carebundle.generate_bundle(profile=profile, seed=seed)))


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _patient_id(bundle: dict[str, Any]) -> str:
    """The Patient's id: carebundle names it by its urn:uuid fullUrl only."""
    entry = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    return str(entry["resource"].get("id") or entry["fullUrl"].removeprefix("urn:uuid:"))


def _predict(runner: CliRunner, model: Path, bundle: dict[str, Any], tmp: Path) -> Any:
    path = tmp / "bundle.json"
    path.write_text(json.dumps(bundle))
    result = runner.invoke(
        app, ["risk", "predict", str(path), "--model", str(model), "--as-of", AS_OF, "--json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_age_is_never_missing_when_the_bundle_gives_a_birth_date(
    runner: CliRunner, cli_env: Path, framingham_model: Path, tmp_path: Path
) -> None:
    bundle = _bundle("hypertension", 1)
    assert _resources(bundle, "Patient")[0]["birthDate"]
    body = _predict(runner, framingham_model, bundle, tmp_path)
    (score,) = body["scores"]
    assert "age" not in score["missing"]
    for column in ("totChol", "sysBP", "diaBP", "BMI", "heartRate", "glucose"):
        assert column not in score["missing"], column
    assert body["skipped"].startswith("skipped:") and body["rejected"] == []


def test_cholesterol_reported_in_mmol_per_l_barely_moves_the_probability(
    runner: CliRunner, cli_env: Path, framingham_model: Path, tmp_path: Path
) -> None:
    bundle = _bundle("hypertension", 1)
    reference = _predict(runner, framingham_model, bundle, tmp_path)["scores"][0]
    molar = load_concepts().observation("total_cholesterol").molar_mass
    assert molar is not None
    for obs in _resources(bundle, "Observation"):
        if obs["code"]["coding"][0]["code"] == "2093-3":
            quantity = obs["valueQuantity"]
            mmol = round(quantity["value"] / (molar.effective_g_per_mol / 10.0), 2)
            quantity.update(value=mmol, unit="mmol/L", code="mmol/L")
    converted = _predict(runner, framingham_model, bundle, tmp_path)["scores"][0]
    assert "totChol" not in converted["missing"]
    assert abs(converted["probability"] - reference["probability"]) < 0.005


def test_a_deceased_patient_is_refused_naming_the_death_date_and_the_other_is_scored(
    runner: CliRunner, cli_env: Path, framingham_model: Path, tmp_path: Path
) -> None:
    living, died = _bundle("hypertension", 1), _bundle("type2_diabetes", 2)
    _resources(died, "Patient")[0]["deceasedDateTime"] = "2025-03-02"
    both = {**living, "entry": living["entry"] + died["entry"]}
    body = _predict(runner, framingham_model, both, tmp_path)
    assert [s["patient_id"] for s in body["scores"]] == [_patient_id(living)]
    (refused,) = body["refused"]
    assert refused["patient_id"] == _patient_id(died)
    assert "died on 2025-03-02" in refused["reason"]


def test_a_bad_as_of_is_one_error_line(
    runner: CliRunner, cli_env: Path, framingham_model: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_bundle("healthy", 3)))
    result = runner.invoke(
        app, ["risk", "predict", str(path), "--model", str(framingham_model), "--as-of", "soon"]
    )
    assert result.exit_code == 2
    assert "--as-of 'soon' is not an ISO date" in result.output
    assert "Traceback" not in result.output


def test_a_file_without_a_readable_patient_is_refused_saying_why(
    runner: CliRunner, cli_env: Path, framingham_model: Path, tmp_path: Path
) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps([{"patient": {"id": "b", "age": -3}}]))
    result = runner.invoke(app, ["risk", "predict", str(path), "--model", str(framingham_model)])
    assert result.exit_code == 2
    assert "no readable patient" in result.output and "patient.age" in result.output
