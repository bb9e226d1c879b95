"""`medlm ingest`: counts and every rejection; exit 0 all read, 1 some rejected, 2 unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.records.fhir import to_bundle


@pytest.fixture(scope="module")
def pima_bundle() -> dict:
    from medlm.datasets import load

    return to_bundle(load("pima").to_records())


def _write(path: Path, bundle: dict) -> Path:
    path.write_text(json.dumps(bundle), encoding="utf-8")
    return path


def _position(bundle: dict, resource_id: str) -> int:
    return next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["id"] == resource_id)


def test_pima_bundle_ingests_768_patients_and_exits_0(
    runner: CliRunner, cli_env: Path, tmp_path: Path, pima_bundle: dict
) -> None:
    path = _write(tmp_path / "pima.json", pima_bundle)
    result = runner.invoke(app, ["ingest", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["patients"], report["rejection_count"]) == (768, 0)
    assert report["counts"]["Patient"]["accepted"] == 768


def test_exported_pima_bundle_with_two_bad_resources_reports_exactly_them_and_exits_1(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    out = tmp_path / "D"
    exported = runner.invoke(
        app, ["datasets", "export", "pima", "--format", "fhir", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    bundle = json.loads((out / "pima.json").read_text(encoding="utf-8"))
    obs_at = _position(bundle, "pima-0100-bmi")
    bundle["entry"][obs_at]["resource"]["valueQuantity"]["value"] = "thirty"
    patient_at = _position(bundle, "pima-0200")
    bundle["entry"][patient_at]["resource"]["gender"] = "x"
    path = _write(out / "pima-bad.json", bundle)

    result = runner.invoke(app, ["ingest", str(path), "--json"])

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["patients"] == 767
    assert [(r["position"], r["resource_id"], r["field"]) for r in report["rejections"]] == [
        (obs_at, "pima-0100-bmi", "Observation.valueQuantity.value"),
        (patient_at, "pima-0200", "Patient.gender"),
    ]
    held = report["rejections"][1]["held_back"]
    assert {h["resource_id"] for h in held} >= {"pima-0200-ogtt-2h-glucose"}


def test_text_output_lists_counts_and_every_rejection(
    runner: CliRunner, cli_env: Path, tmp_path: Path, pima_bundle: dict
) -> None:
    bundle = {**pima_bundle, "entry": pima_bundle["entry"][:8]}
    bundle["entry"][0] = {"resource": {**bundle["entry"][0]["resource"], "gender": "x"}}
    result = runner.invoke(app, ["ingest", str(_write(tmp_path / "b.json", bundle))])
    assert result.exit_code == 1
    assert "patients read: 1; rejections: 1" in result.stdout
    assert "Patient.gender" in result.stdout
    assert "held back #1 Observation 'pima-0001-pregnancies'" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "not valid JSON"),
        ("[]", "no patients found"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": []}', "empty FHIR Bundle"),
    ],
)
def test_unreadable_bundle_is_one_error_line_and_exit_2(
    runner: CliRunner, cli_env: Path, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "in.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(path), "--json"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_missing_file_exits_2(runner: CliRunner, cli_env: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


CSV = "pid,sex,glucose_mgdl\na,F,99\na,F,101\nb,M,high\nc,Q,90\n"
MAP = {
    "patient": {"id": "pid", "sex": "sex", "sex_values": {"F": "female", "M": "male"}},
    "observations": [
        {
            "column": "glucose_mgdl",
            "code": {"system": "http://loinc.org", "code": "2345-7"},
            "unit": "mg/dL",
            "quantity": "glucose",
            "convert_to": "mmol/L",
        }
    ],
}


def test_csv_needs_a_map(runner: CliRunner, cli_env: Path, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 2
    assert "column map" in result.stderr


def test_csv_with_map_reports_row_numbered_rejections(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(CSV, encoding="utf-8")
    map_path = tmp_path / "map.json"
    map_path.write_text(json.dumps(MAP), encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(path), "--map", str(map_path), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["patients"] == 2
    assert [(r["position"], r["field"]) for r in report["rejections"]] == [
        (4, "glucose_mgdl"),
        (5, "sex"),
    ]


@pytest.fixture(scope="module")
def small_bundle() -> dict:
    from medlm.datasets import load

    return to_bundle(load("pima").to_records()[:3])


def test_dash_reads_a_fhir_bundle_from_standard_input(
    runner: CliRunner, cli_env: Path, small_bundle: dict
) -> None:
    result = runner.invoke(app, ["ingest", "-", "--json"], input=json.dumps(small_bundle))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["patients"], report["source"]) == (3, "standard input")


def test_dash_reads_fhir_ndjson_from_standard_input(
    runner: CliRunner, cli_env: Path, small_bundle: dict
) -> None:
    lines = "\n".join(json.dumps(e["resource"]) for e in small_bundle["entry"])
    result = runner.invoke(app, ["ingest", "-", "--json"], input=lines + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["patients"] == 3


def test_dash_reads_csv_with_its_map_from_standard_input(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    map_path = tmp_path / "map.json"
    map_path.write_text(json.dumps(MAP), encoding="utf-8")
    result = runner.invoke(app, ["ingest", "-", "--map", str(map_path), "--json"], input=CSV)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["patients"] == 2


def test_empty_or_unmapped_standard_input_is_one_error_naming_it(
    runner: CliRunner, cli_env: Path
) -> None:
    empty = runner.invoke(app, ["ingest", "-"], input="")
    assert empty.exit_code == 2 and "standard input is empty" in empty.stderr
    unmapped = runner.invoke(app, ["ingest", "-"], input=CSV)
    assert unmapped.exit_code == 2
    assert "standard input looks like CSV" in unmapped.stderr and "/tmp" not in unmapped.stderr
