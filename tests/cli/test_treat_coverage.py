"""`medlm treat recommend` on a FHIR bundle: interaction issues and the coverage statement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from medlm.cli.app import app

AS_OF = "2026-06-01"


def _statement(i: int, text: str) -> dict[str, Any]:
    return {
        "resource": {
            "resourceType": "MedicationStatement",
            "id": f"m{i}",
            "status": "active",
            "subject": {"reference": "Patient/p1"},
            "medicationCodeableConcept": {"text": text},
        }
    }


def _bundle(tmp_path: Path, meds: list[str]) -> Path:
    patient = {
        "resource": {
            "resourceType": "Patient",
            "id": "p1",
            "gender": "male",
            "birthDate": "1952-03-01",
        }
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [patient, *(_statement(i, m) for i, m in enumerate(meds))],
    }
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    return path


def test_recommend_json_names_the_pair_and_carries_coverage(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    path = _bundle(tmp_path, ["Warfarin 5 MG Oral Tablet", "Clopidogrel 75 MG Oral Tablet"])
    result = runner.invoke(app, ["treat", "recommend", str(path), "--json", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert ["clopidogrel", "warfarin"] in [i["drugs"] for i in body["issues"]]
    coverage = body["coverage"]
    assert {d["ingredient"] for d in coverage["matched"]} == {"warfarin", "clopidogrel"}
    assert coverage["unmatched"] == []
    assert coverage["knowledge"][0]["rules"] >= 150


def test_recommend_table_output_states_coverage_for_a_clean_list(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    path = _bundle(tmp_path, ["Metformin 500 MG Oral Tablet"])
    result = runner.invoke(app, ["treat", "recommend", str(path), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert "Drugs checked" in result.output
    assert "no interaction data for: metformin" in result.output
    assert "coverage: checked: drug interactions" in result.output


def test_af_coronary_bundle_reads_the_simvastatin_dose_from_the_name(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    meds = [
        "Warfarin Sodium 5 MG Oral Tablet",
        "Clopidogrel 75 MG Oral Tablet",
        "Verapamil Hydrochloride 240 MG Extended Release Oral Tablet",
        "Digoxin 0.125 MG Oral Tablet",
        "Simvastatin 20 MG Oral Tablet",
        "Amlodipine 5 MG Oral Tablet",
    ]
    path = _bundle(tmp_path, meds)
    result = runner.invoke(app, ["treat", "recommend", str(path), "--json", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    pairs = {tuple(i["drugs"]) for i in body["issues"] if i["kind"] == "interaction"}
    assert {
        ("clopidogrel", "warfarin"),
        ("digoxin", "verapamil"),
        ("simvastatin", "verapamil"),
    } <= pairs
    statin = next(i for i in body["issues"] if tuple(i["drugs"]) == ("simvastatin", "verapamil"))
    assert "above the 10 mg limit" in statin["detail"]
    assert not any("simvastatin dose not recorded" in m for m in body["missing"])
    assert len(body["coverage"]["matched"]) == 6
