"""`medlm batch`: a summary at the end, rejects on file, clean one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medlm.cli.app import app


def _notes(path: Path) -> Path:
    lines = [
        json.dumps({"id": "n1", "text": "Seen by Dr. John Smith on 03/14/2024."}),
        "{not json",
        json.dumps({"id": "n3", "text": "Chest pain resolved; troponin negative."}),
        json.dumps({"id": "n4"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def no_ner(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDLM_SECURITY__DEID_NER", "off")
    return cli_env


def test_batch_deid_writes_parts_rejects_and_a_json_summary(
    runner: CliRunner, no_ner: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["batch", "deid", "--input", str(_notes(tmp_path / "n.jsonl")), "--output", str(out)]
    result = runner.invoke(app, [*args, "--format", "jsonl", "--shard-size", "2", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["records"], summary["rejects"], summary["shards"]) == (2, 2, 2)
    texts = [
        json.loads(line)["text"] for line in (out / "part-00000.jsonl").read_text().splitlines()
    ]
    assert texts == ["Seen by Dr. [NAME] on [DATE]."]
    rejected = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r.get("field")) for r in rejected] == [(2, None), (4, "text")]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["status"] for s in manifest["shards"]] == ["done", "done"]


def test_batch_rerun_over_a_changed_input_is_one_error_line(
    runner: CliRunner, no_ner: Path, tmp_path: Path
) -> None:
    source, out = _notes(tmp_path / "n.jsonl"), tmp_path / "out"
    args = ["batch", "deid", "--input", str(source), "--output", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    source.write_text(source.read_text() + json.dumps({"id": "n5", "text": "x"}) + "\n")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "different input" in result.output and "cannot resume" in result.output


def test_batch_with_an_unknown_engine_is_refused(
    runner: CliRunner, no_ner: Path, tmp_path: Path
) -> None:
    source = _notes(tmp_path / "n.jsonl")
    args = ["batch", "deid", "--input", str(source), "--output", str(tmp_path / "o")]
    result = runner.invoke(app, [*args, "--engine", "spark"])
    assert result.exit_code == 2
    assert "--engine 'spark' is not local or ray" in result.output


def test_batch_risk_without_a_model_names_the_option(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    source = tmp_path / "p.jsonl"
    source.write_text(json.dumps({"id": "p1", "Glucose": 120}) + "\n")
    args = ["batch", "risk", "--input", str(source), "--output", str(tmp_path / "o")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "needs a model folder (--model)" in result.output


def test_batch_of_a_missing_input_file_says_so(
    runner: CliRunner, cli_env: Path, tmp_path: Path
) -> None:
    args = ["batch", "text", "--input", str(tmp_path / "none.jsonl"), "--output", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "is not a file" in result.output
