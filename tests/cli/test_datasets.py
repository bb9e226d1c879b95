"""`medlm datasets list|show|export` through the CLI runner."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medlm.cli import ingest as ingest_cli
from medlm.cli.app import app

HAS_FHIR = importlib.util.find_spec("medlm.records.fhir") is not None
INGEST_STUB = "not yet implemented" in (ingest_cli.ingest.__doc__ or "")


def test_list_json_gives_eight_datasets_with_provenance_and_licence(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(app, ["datasets", "list", "--json"])
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert len(entries) >= 8
    for entry in entries:
        assert entry["licence"] and entry["original_source"] and entry["source_package"]
        assert entry["package_version"]


def test_list_table_names_each_dataset(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["datasets", "list"])
    assert result.exit_code == 0
    for name in ("pima", "actg175", "cdisc-vitals", "mitbih-ecg"):
        assert name in result.stdout


def test_show_json_reports_rows_outcome_balance_and_caveats(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(app, ["datasets", "show", "pima", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["rows"] == 768
    assert shown["outcome_balance"] == {"0": 500, "1": 268}
    assert any("not measured" in c for c in shown["caveats"])


def test_show_table_lists_the_caveats(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["datasets", "show", "heart-failure"])
    assert result.exit_code == 0
    assert "DEATH_EVENT" in result.stdout
    assert "caveat" in result.stdout


def test_show_unknown_dataset_is_one_error_line_and_exit_2(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(app, ["datasets", "show", "nope"])
    assert result.exit_code == 2
    assert "unknown dataset 'nope'" in result.output
    assert "Traceback" not in result.output


def test_export_csv_writes_name_csv_and_prints_its_path(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    result = runner.invoke(
        app, ["datasets", "export", "heart-failure", "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(str(out / "heart-failure.csv"))
    assert len((out / "heart-failure.csv").read_text().splitlines()) == 300


def test_export_fhir_of_a_text_dataset_is_refused_with_exit_2(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["datasets", "export", "medline", "--format", "fhir", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "not patient-level" in result.output


def test_export_with_unknown_format_is_a_usage_error(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["datasets", "export", "pima", "--format", "xml", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2


@pytest.mark.skipif(not HAS_FHIR, reason="medlm.records.fhir is not in this tree yet")
def test_pima_fhir_export_is_a_bundle_the_fhir_reader_accepts_whole(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    from medlm.records.fhir import read_bundle

    exported = runner.invoke(
        app, ["datasets", "export", "pima", "--format", "fhir", "--out", str(tmp_path)]
    )
    assert exported.exit_code == 0, exported.output
    report = read_bundle(tmp_path / "pima.json")
    assert (report.patients, report.rejection_count) == (768, 0)
    assert report.records[0].patient.id == "pima-0001"


@pytest.mark.skipif(INGEST_STUB, reason="`medlm ingest` is not implemented in this tree yet")
def test_pima_fhir_export_reads_back_with_ingest_as_768_patients(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    out = tmp_path / "fhir"
    exported = runner.invoke(
        app, ["datasets", "export", "pima", "--format", "fhir", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    bundle = out / "pima.json"
    assert exported.stdout.strip().endswith(str(bundle))
    ingested = runner.invoke(app, ["ingest", str(bundle), "--json"])
    assert ingested.exit_code == 0, ingested.output
    report = json.loads(ingested.stdout)
    assert report["patients"] == 768
    assert report["rejection_count"] == 0
