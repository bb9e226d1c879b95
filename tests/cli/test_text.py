"""`medlm text`: extract one document or JSON lines, with targets and saved vocabularies."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medlm.cli.app import app

ACCEPTANCE = {
    "id": "1",
    "text": "The patient denies chest pain but reports shortness of breath. "
    "Mother had breast cancer.",
    "targets": ["chest pain"],
}


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_acceptance_jsonl_line(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["text", "extract", "--jsonl"], input=json.dumps(ACCEPTANCE))
    assert result.exit_code == 0, result.output
    (line,) = _lines(result.stdout)
    by_text = {e["text"]: e for e in line["entities"]}
    assert line["id"] == "1"
    assert by_text["chest pain"]["assertion"]["negated"] is True
    sob = by_text["shortness of breath"]["assertion"]
    assert not any(sob[k] for k in ("negated", "possible", "historical", "hypothetical", "family"))
    assert by_text["breast cancer"]["assertion"]["family"] is True
    assert by_text["chest pain"]["code"] is not None


def test_bad_jsonl_lines_yield_error_lines_and_the_rest_continue(
    runner: CliRunner, cli_env: Path
) -> None:
    lines = [
        b"not json",
        json.dumps({"id": "empty", "text": "  "}).encode(),
        b'{"id": "latin", "text": "caf\xe9"}',
        json.dumps({"id": "ok", "text": "No fever."}).encode(),
    ]
    result = runner.invoke(app, ["text", "extract", "--jsonl"], input=b"\n".join(lines))
    assert result.exit_code == 0, result.output
    out = _lines(result.stdout)
    assert [o.get("line") for o in out[:3]] == [1, 2, 3]
    assert "not a valid request" in out[0]["error"]
    assert out[1]["id"] == "empty" and "empty" in out[1]["error"]
    assert "not UTF-8" in out[2]["error"]
    assert out[3]["id"] == "ok" and out[3]["entities"][0]["assertion"]["negated"]


def test_extract_file_as_json_with_target(runner: CliRunner, cli_env: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Chest X-ray: possible consolidation.", encoding="utf-8")
    args = ["text", "extract", str(note), "--json", "--target", "consolidation"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (entity,) = json.loads(result.stdout)["entities"]
    assert entity["label"] == "target" and entity["assertion"]["possible"]


def test_empty_input_is_one_clean_error(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["text", "extract", "-"], input="   ")
    assert result.exit_code == 2
    assert "error:" in result.output and "empty" in result.output


def test_non_utf8_input_is_one_clean_error(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["text", "extract", "-"], input=b"fever \xff")
    assert result.exit_code == 2 and "not UTF-8" in result.output


def test_missing_file_is_one_clean_error(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["text", "extract", "nope.txt"])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_saved_vocabulary_is_listed_and_used(runner: CliRunner, cli_env: Path) -> None:
    saved = runner.invoke(app, ["text", "vocab", "save", "lung", "--term", "ground glass"])
    assert saved.exit_code == 0, saved.output
    listed = runner.invoke(app, ["text", "vocab", "list", "--json"])
    assert json.loads(listed.stdout) == ["lung"]
    args = ["text", "extract", "-", "--json", "--vocabulary", "lung"]
    result = runner.invoke(app, args, input="No ground glass seen.")
    (entity,) = json.loads(result.stdout)["entities"]
    assert entity["text"] == "ground glass" and entity["assertion"]["negated"]


def test_html_and_fhir_files_are_written(runner: CliRunner, cli_env: Path, tmp_path: Path) -> None:
    html, fhir = tmp_path / "view.html", tmp_path / "fhir.json"
    args = ["text", "extract", "-", "--html", str(html), "--fhir", str(fhir)]
    result = runner.invoke(app, args, input="Denies chest pain.")
    assert result.exit_code == 0, result.output
    assert "<mark" in html.read_text(encoding="utf-8")
    assert json.loads(fhir.read_text(encoding="utf-8"))[0]["resourceType"] == "Condition"


def test_trial_facts_as_json(runner: CliRunner, cli_env: Path) -> None:
    abstract = (
        "METHODS: In this double-blind randomized trial, 412 patients were randomly assigned to "
        "metformin versus placebo. RESULTS: HR 0.72, 95% CI 0.60-0.86; P<0.001."
    )
    result = runner.invoke(app, ["text", "trial", "-", "--json"], input=abstract)
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["sample_size"] == 412 and facts["comparators"] == ["placebo"]
    (effect,) = facts["effects"]
    assert (effect["kind"], effect["ci_low"], effect["p_value"]) == ("hazard ratio", 0.6, "<0.001")


def test_oversized_document_is_one_clean_error(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["text", "extract", "-"], input="fever " * 40_000)
    assert result.exit_code == 2 and "more than the limit" in result.output


def test_jsonl_target_over_200_characters_rejects_only_that_line(
    runner: CliRunner, cli_env: Path
) -> None:
    lines = [
        {"id": "long", "text": "No fever.", "targets": ["x" * 250]},
        {"id": "ok", "text": "No fever.", "targets": ["fever"]},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines)
    result = runner.invoke(app, ["text", "extract", "--jsonl"], input=stdin)
    assert result.exit_code == 0, result.output
    rejected, analysed = _lines(result.stdout)
    assert rejected["id"] == "long" and rejected["line"] == 1
    assert "line 1" in rejected["error"] and "targets[0] has 250 characters" in rejected["error"]
    assert analysed["id"] == "ok" and analysed["entities"][0]["assertion"]["negated"]
    assert "1 of 2 input lines could not be analysed" in result.stderr
    assert "unexpected" not in result.output


def test_jsonl_with_every_line_invalid_exits_1_with_a_summary(
    runner: CliRunner, cli_env: Path
) -> None:
    stdin = "not json\n" + json.dumps({"id": "blank", "text": " "}) + "\n"
    result = runner.invoke(app, ["text", "extract", "--jsonl"], input=stdin)
    assert result.exit_code == 1, result.output
    assert len(_lines(result.stdout)) == 2
    assert "none of the 2 input lines could be analysed" in result.stderr


def test_vocabulary_term_over_200_characters_is_one_clean_error(
    runner: CliRunner, cli_env: Path
) -> None:
    result = runner.invoke(app, ["text", "vocab", "save", "long", "--term", "y" * 201])
    assert result.exit_code == 2
    assert "201 characters" in result.stderr and "unexpected" not in result.output
