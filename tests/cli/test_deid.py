"""`medlm deid`: the acceptance sentence, files, operators and bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medlm.cli.app import app

NOTE = (
    "Pt John Smith (MRN 4455667), seen 03/14/2025 at 12 Elm Street, Boston MA 02118; "
    "call 617-555-0199 or jsmith@example.org. Age 93."
)


def test_deid_json_from_stdin_meets_the_acceptance_sentence(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(app, ["deid", "--json"], input=NOTE)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["text"] == (
        "Pt [NAME] (MRN [MRN]), seen [DATE] at [STREET], [CITY] MA 021; call [PHONE] or "
        "[EMAIL]. Age 90 or older."
    )
    assert {s["label"] for s in payload["spans"]} >= {"NAME", "MRN", "DATE", "ZIP", "AGE"}
    assert set(payload["spans"][0]) == {"start", "end", "label", "score"}


def test_deid_reads_a_file_with_an_operator(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("SSN 402-19-8877.", encoding="utf-8")
    result = runner.invoke(app, ["deid", str(note), "--operator", "mask"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "SSN ***********.\n"


def test_deid_missing_file_is_one_error_line(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["deid", "no-such-note.txt"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_deid_unknown_operator_is_refused(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["deid", "-", "--operator", "shred"], input="x")
    assert result.exit_code == 2
    assert "shred" in result.output


def test_deid_evaluate_json_reports_every_corpus(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["deid", "evaluate", "--json", "--synthetic-size", "10"])
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)
    assert {r["corpus"].split(" ")[0] for r in reports} >= {"deidgate", "medlm"}
    medlm_rows = [r for r in reports if r["detector"] == "medlm"]
    assert all(r["categories"][-1]["category"] == "overall" for r in medlm_rows)


def test_deid_help_shows_the_de_identification_options(runner: CliRunner) -> None:
    result = runner.invoke(app, ["deid", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--operator", "--patient-id", "--shift-dates", "--json", "evaluate"):
        assert option in result.stdout
    assert " run " not in result.stdout


def test_deid_takes_options_before_or_after_the_file(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("SSN 402-19-8877.", encoding="utf-8")
    before = runner.invoke(app, ["deid", "--operator", "mask", str(note)])
    after = runner.invoke(app, ["deid", str(note), "--json", "--operator", "mask"])
    assert before.exit_code == 0 and before.stdout == "SSN ***********.\n", before.output
    assert after.exit_code == 0 and json.loads(after.stdout)["text"] == "SSN ***********.", (
        after.output
    )


def test_deid_with_two_files_is_one_clean_error(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["deid", "a.txt", "b.txt"])
    assert result.exit_code == 2
    assert "unexpected extra argument 'b.txt'" in result.stderr
