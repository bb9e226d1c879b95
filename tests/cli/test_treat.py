"""`medlm treat recommend` and `medlm treat effects`."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medlm.cli.app import app

LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"


def _patient_file(tmp_path: Path, egfr: float = 25) -> Path:
    record = {
        "patient": {"id": "p1", "age": 64, "sex": "male"},
        "observations": [
            {
                "patient_id": "p1",
                "code": {"system": LOINC, "code": "62238-1"},
                "value": egfr,
                "unit": "mL/min/{1.73_m2}",
            }
        ],
        "conditions": [{"patient_id": "p1", "code": {"system": ICD10, "code": "E11.9"}}],
        "medication_statements": [{"patient_id": "p1", "name": "Glucophage 500 mg"}],
    }
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(record))
    return path


def test_recommend_json_has_the_documented_shape(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    fhir_out = tmp_path / "out.fhir.json"
    result = runner.invoke(
        app, ["treat", "recommend", str(_patient_file(tmp_path)), "--json", "--fhir", str(fhir_out)]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) >= {"recommendations", "issues", "missing"}
    assert set(body["recommendations"][0]) >= {
        "action",
        "drug",
        "drug_class",
        "rationale",
        "citation",
        "strength",
    }
    issue = body["issues"][0]
    assert (issue["severity"], issue["kind"], issue["drugs"]) == (
        "high",
        "contraindication",
        ["metformin"],
    )
    assert "HbA1c not available: glycaemic target not assessed" in body["missing"]
    assert json.loads(fhir_out.read_text())["resourceType"] == "Bundle"


def test_recommend_table_output(runner: CliRunner, cli_env: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["treat", "recommend", str(_patient_file(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "metformin" in result.stdout and "could not check:" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"patient": {"id": "p1", "age": 500}}', "patient.age"),
    ],
)
def test_bad_patient_file_is_one_error_line(
    runner: CliRunner, cli_env: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = runner.invoke(app, ["treat", "recommend", str(path)])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_an_impossible_egfr_is_listed_as_not_checked_and_not_used(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    path = _patient_file(tmp_path, egfr=900)
    result = runner.invoke(app, ["treat", "recommend", str(path), "--json"])
    assert result.exit_code == 0, result.output
    missing = json.loads(result.stdout)["missing"]
    assert any(m.startswith("could not read Observation") and "900" in m for m in missing)
    assert "eGFR not available: metformin kidney limits unknown" in missing


@pytest.mark.slow
def test_effects_json_reports_policy_and_best_arm_with_cis(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(
        app,
        ["treat", "effects", "--dataset", "actg175", "--folds", "2", "--bootstrap", "50", "--json"],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    best = body["arms"][body["best_arm"]]
    assert best["ci_low"] < best["value"] < best["ci_high"]
    for policy in body["policies"]:
        assert policy["value"]["ci_low"] < policy["value"]["value"] < policy["value"]["ci_high"]
        assert {"value", "ci_low", "ci_high"} <= set(policy["vs_best_arm"])


def test_effects_rejects_other_datasets(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["treat", "effects", "--dataset", "pima"])
    assert result.exit_code == 2 and "only 'actg175'" in result.output


@pytest.mark.skipif(
    importlib.util.find_spec("medlm.records.fhir") is None,
    reason="needs medlm.records.fhir.read_bundle",
)
def test_recommend_reads_a_fhir_bundle_file(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    subject = {"reference": "Patient/p1"}
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "p1", "gender": "male"}},
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "o1",
                    "status": "final",
                    "subject": subject,
                    "code": {"coding": [{"system": LOINC, "code": "62238-1"}]},
                    "valueQuantity": {"value": 25, "unit": "mL/min/{1.73_m2}"},
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "id": "m1",
                    "status": "active",
                    "subject": subject,
                    "medicationCodeableConcept": {"text": "metformin"},
                }
            },
        ],
    }
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    result = runner.invoke(app, ["treat", "recommend", str(path), "--json"])
    assert result.exit_code == 0, result.output
    kinds = [(i["kind"], i["drugs"]) for i in json.loads(result.stdout)["issues"]]
    assert ("contraindication", ["metformin"]) in kinds
