"""`medlm risk train/evaluate/cv/external/predict` and their one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.datasets import load
from medlm.records.fhir import to_bundle


@pytest.fixture
def fast_bootstrap(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDLM_RISK__BOOTSTRAP", "100")
    return cli_env


@pytest.fixture
def pima_csv(tmp_path: Path) -> Path:
    frame = load("pima").frame
    path = tmp_path / "pima.csv"
    frame.to_csv(path, index=False)
    return path


def _train(runner: CliRunner, data: Path, out: Path, family: str = "logreg") -> None:
    result = runner.invoke(
        app,
        [
            "risk",
            "train",
            "--data",
            str(data),
            "--target",
            "Outcome",
            "--model",
            family,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output


def test_train_then_evaluate_json_has_the_documented_keys(
    runner: CliRunner, fast_bootstrap: Path, pima_csv: Path, tmp_path: Path
) -> None:
    _train(runner, pima_csv, tmp_path / "M")
    result = runner.invoke(
        app,
        [
            "risk",
            "evaluate",
            "--model",
            str(tmp_path / "M"),
            "--data",
            str(pima_csv),
            "--target",
            "Outcome",
            "--json",
            "--report",
            str(tmp_path / "R"),
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    for key in (
        "n",
        "auroc",
        "auroc_ci",
        "auprc",
        "brier",
        "calibration_slope",
        "calibration_intercept",
        "ece",
    ):
        assert key in body
    assert body["n"] == 768
    report = json.loads((tmp_path / "R" / "report.json").read_text())
    assert {b["score"] for b in report["baselines"]} == {"findrisc", "ada_risk_test"}
    assert any("sample of 500 of the 768 rows" in note for note in report["notes"])
    assert any(note.startswith("Tier cut-points of this model") for note in report["notes"])
    assert (tmp_path / "R" / "report.html").is_file()


def test_predict_reads_a_fhir_bundle_and_returns_scores_with_risk_assessments(
    runner: CliRunner, fast_bootstrap: Path, pima_csv: Path, tmp_path: Path
) -> None:
    _train(runner, pima_csv, tmp_path / "M")
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(to_bundle(load("pima").to_records(limit=2))))
    result = runner.invoke(
        app, ["risk", "predict", str(bundle), "--model", str(tmp_path / "M"), "--json", "--fhir"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [score["patient_id"] for score in body["scores"]] == ["pima-0001", "pima-0002"]
    assert body["risk_assessments"][0]["resourceType"] == "RiskAssessment"
    assert "Insulin" in body["scores"][0]["missing"]  # not measured in the source row
    assert body["refused"] == [] and body["rejected"] == []


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("Glucose,Outcome\n148,1\n85x,0\n90,0\n", "column 'Glucose' is numeric but row 2"),
        ("Glucose,BMI\n148,33.6\n", "target column 'Outcome' not found"),
        ("", "is empty"),
    ],
)
def test_bad_csv_gives_one_error_line_naming_column_or_row(
    runner: CliRunner, cli_env: Path, tmp_path: Path, csv_text: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(csv_text)
    result = runner.invoke(
        app,
        ["risk", "train", "--data", str(path), "--target", "Outcome", "--out", str(tmp_path / "M")],
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cv_on_a_registered_dataset_reports_fold_summaries(
    runner: CliRunner, fast_bootstrap: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "risk",
            "cv",
            "--dataset",
            "heart-failure",
            "--folds",
            "3",
            "--repeats",
            "1",
            "--json",
            "--report",
            str(fast_bootstrap / "cv-report"),
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["folds"] == 3 and body["n"] == 299
    assert 0.6 < body["auroc"]["mean"] < 0.95
    assert "out_of_fold" not in body
    assert (fast_bootstrap / "cv-report" / "reliability.png").is_file()


def test_external_validation_reports_the_three_other_uci_sites(
    runner: CliRunner, fast_bootstrap: Path
) -> None:
    result = runner.invoke(app, ["risk", "external", "--dataset", "uci-heart", "--json"])
    assert result.exit_code == 0, result.output
    models = [m["model"] for m in json.loads(result.stdout)]
    assert models == [
        "logreg: Cleveland → Hungary",
        "logreg: Cleveland → Switzerland",
        "logreg: Cleveland → VA Long Beach",
    ]


def test_unknown_family_and_missing_source_are_clean_errors(
    runner: CliRunner, cli_env: Path, pima_csv: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "risk",
            "train",
            "--data",
            str(pima_csv),
            "--target",
            "Outcome",
            "--model",
            "forest",
            "--out",
            str(tmp_path / "M"),
        ],
    )
    assert result.exit_code == 2 and "unknown model family 'forest'" in result.output
    result = runner.invoke(app, ["risk", "train", "--out", str(tmp_path / "M")])
    assert result.exit_code == 2 and "exactly one of --data FILE or --dataset NAME" in result.output


def test_categorical_csv_trains_and_text_table_lists_unused_columns(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    frame = pd.DataFrame(
        {
            "sex": ["Male", "Female"] * 40,
            "age": list(range(30, 70)) * 2,
            "note_id": [f"n{i}" for i in range(80)],
            "y": [0, 1, 1, 0] * 20,
        }
    )
    path = tmp_path / "c.csv"
    frame.to_csv(path, index=False)
    result = runner.invoke(
        app, ["risk", "train", "--data", str(path), "--target", "y", "--out", str(tmp_path / "M")]
    )
    assert result.exit_code == 0, result.output
    assert "column 'note_id' not used" in result.output


def test_train_from_fhir_bundles_with_a_condition_label_then_predict(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    from medlm.records import Coding, Condition, Observation, Patient, PatientRecord

    rng = np.random.default_rng(0)
    records = []
    for i, glucose in enumerate(rng.normal(110, 25, 80)):
        pid = f"p{i}"
        diabetic = glucose + rng.normal(0, 10) > 120
        records.append(
            PatientRecord(
                patient=Patient(id=pid, age=40 + i % 30),
                observations=[
                    Observation(
                        id=f"{pid}-glu",
                        patient_id=pid,
                        code=Coding(system="http://loinc.org", code="2345-7"),
                        value=round(float(glucose), 1),
                        unit="mg/dL",
                    )
                ],
                conditions=[
                    Condition(
                        patient_id=pid,
                        code=Coding(system="http://hl7.org/fhir/sid/icd-10-cm", code="E11.9"),
                    )
                ]
                if diabetic
                else [],
            )
        )
    bundle = tmp_path / "cohort.json"
    bundle.write_text(json.dumps(to_bundle(records)))
    result = runner.invoke(
        app,
        [
            "risk",
            "train",
            "--fhir",
            str(bundle),
            "--label-condition",
            "E11.9",
            "--outcome",
            "type 2 diabetes",
            "--out",
            str(tmp_path / "M"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["columns"] == ["age", "glucose"]  # the shared concept, not the LOINC code
    assert summary["excluded"] == {"sex": "the same value ('unknown') in every row"}
    predicted = runner.invoke(
        app, ["risk", "predict", str(bundle), "--model", str(tmp_path / "M"), "--json"]
    )
    assert predicted.exit_code == 0, predicted.output
    scores = json.loads(predicted.stdout)["scores"]
    assert len(scores) == 80 and scores[0]["outcome"] == "type 2 diabetes"
