"""Whole Synthea patient bundles through the applications, as a clinician's EHR export arrives.

Acceptance checks of the records boundary: treatment runs on the raw bundle of every living
patient and refuses a deceased one naming the death date; risk never imputes an age that a
birth date gives; the same cholesterol in mmol/L gives the same UCI-heart probability.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.records.read import read_path

pytestmark = pytest.mark.slow
AS_OF = "2026-01-01"
CHOLESTEROL = "2093-3"  # Cholesterol [Mass/volume] in Serum or Plasma (LOINC)


def _patient(bundle: dict[str, Any]) -> dict[str, Any]:
    return next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )


def _invoke(args: list[str]) -> Any:
    result = CliRunner().invoke(app, args)
    return result


@pytest.fixture(scope="module")
def uci_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("uci") / "model"
    result = _invoke(["risk", "train", "--dataset", "uci-heart", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return out


def test_the_cohort_holds_the_conditions_and_outcomes_the_checks_need(
    synthea_bundles: list[Path],
) -> None:
    concepts: set[str] = set()
    deceased = living = 0
    for path in synthea_bundles:
        record = read_path(path).records[0]
        concepts |= {c for cond in record.conditions for c in cond.concepts}
        deceased += record.patient.deceased
        living += not record.patient.deceased
    wanted = {"type2_diabetes", "hypertension", "heart_failure", "atrial_fibrillation", "ckd"}
    assert wanted <= concepts
    assert deceased >= 2 and living >= 6


def test_treat_recommend_reads_every_raw_bundle_and_refuses_the_deceased_by_date(
    synthea_bundles: list[Path],
) -> None:
    for path in synthea_bundles:
        patient = _patient(json.loads(path.read_text(encoding="utf-8")))
        result = _invoke(["treat", "recommend", str(path), "--json", "--as-of", AS_OF])
        death = patient.get("deceasedDateTime")
        if death is None:
            assert result.exit_code == 0, (path.name, result.output[-800:])
            summary = json.loads(result.stdout)
            assert summary["patient_id"]
        else:
            assert result.exit_code == 2, (path.name, result.output[-800:])
            assert death[:10] in result.output


def test_risk_predict_never_lists_age_missing_when_the_bundle_has_a_birth_date(
    synthea_bundles: list[Path], uci_model: Path
) -> None:
    scored = 0
    for path in synthea_bundles:
        args = ["risk", "predict", str(path), "--model", str(uci_model), "--json"]
        result = _invoke([*args, "--as-of", AS_OF])
        assert result.exit_code == 0, (path.name, result.output[-800:])
        body = json.loads(result.stdout)
        for score in body["scores"]:
            assert "age" not in score["missing"], path.name
            scored += 1
        assert len(body["scores"]) + len(body["refused"]) == 1
    assert scored >= 6


def _in_mmol_per_l(bundle: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The bundle with every total-cholesterol value rewritten in mmol/L (38.67 mg/dL each)."""
    out = copy.deepcopy(bundle)
    changed = 0
    for entry in out["entry"]:
        resource = entry["resource"]
        codes = {c.get("code") for c in resource.get("code", {}).get("coding", [])}
        quantity = resource.get("valueQuantity")
        if resource["resourceType"] != "Observation" or CHOLESTEROL not in codes or not quantity:
            continue
        assert quantity["code"] == "mg/dL"
        quantity.update(value=round(quantity["value"] / 38.67, 4), unit="mmol/L", code="mmol/L")
        changed += 1
    return out, changed


def test_cholesterol_in_mmol_per_l_gives_the_same_uci_heart_probability(
    synthea_bundles: list[Path], uci_model: Path, tmp_path: Path
) -> None:
    compared = 0
    for path in synthea_bundles:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        if "deceasedDateTime" in _patient(bundle):
            continue
        converted, changed = _in_mmol_per_l(bundle)
        if not changed:
            continue
        other = tmp_path / f"mmol-{path.name}"
        other.write_text(json.dumps(converted), encoding="utf-8")
        probabilities = []
        for source in (path, other):
            args = ["risk", "predict", str(source), "--model", str(uci_model), "--json"]
            result = _invoke([*args, "--as-of", AS_OF])
            assert result.exit_code == 0, result.output[-800:]
            probabilities.append(json.loads(result.stdout)["scores"][0]["probability"])
        assert abs(probabilities[0] - probabilities[1]) < 0.005, path.name
        compared += 1
    assert compared >= 4


def test_monitor_scores_the_adult_vital_signs_of_every_bundle(
    synthea_bundles: list[Path],
) -> None:
    # Synthea records vitals at every visit from birth: NEWS2 scores only the sets from 16 on,
    # read from the 55284-4 blood-pressure panel, 8867-4 pulse, 9279-1 respiration, 2708-6 SpO2
    for path in synthea_bundles[:4]:
        result = _invoke(["monitor", "score", str(path), "--json"])
        assert result.exit_code == 0, (path.name, result.output[-800:])
        lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        sets = [line for line in lines if "news2" in line]
        errors = [line["error"] for line in lines if "error" in line]
        young = [e for e in errors if "not validated in children" in e]
        assert len(young) == 1, young  # one line per patient, not one per childhood visit
        birth = _patient(json.loads(path.read_text(encoding="utf-8")))["birthDate"]
        assert sets, path.name
        assert all(s["time"][:4] >= str(int(birth[:4]) + 16) for s in sets)
        full = {"respiration_rate", "spo2", "systolic_bp", "pulse"}
        assert any(full <= set(s["news2"]["subscores"]) for s in sets), path.name


def test_text_notes_reads_the_newest_notes_of_every_bundle(synthea_bundles: list[Path]) -> None:
    for path in synthea_bundles[:4]:
        result = _invoke(["text", "notes", str(path), "--latest", "2", "--json", "--as-of", AS_OF])
        assert result.exit_code == 0, (path.name, result.output[-800:])
        notes = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        assert len(notes) == 2 and all(n["entities"] for n in notes), path.name
