"""`medlm lm evaluate`: the TF-IDF comparison with its paired bootstrap, in JSON and as text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from roles_helpers import synthetic_abstracts
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.training import role_evaluation, sentence_roles


@pytest.fixture
def model_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """SYNTHETIC splits and a 'model' that calls every sentence RESULTS."""

    def load(split: str | None = None) -> list[Any]:
        return synthetic_abstracts(24 if split == "train" else 6, split or "train")

    def results_only(folder: Path, sentences: Any, on_batch: Any = None) -> Any:
        return role_evaluation.RoleDecisions(["RESULTS"] * len(sentences))

    monkeypatch.setattr(sentence_roles, "load_role_sentences", load)
    monkeypatch.setattr(role_evaluation, "model_decisions", results_only)
    (tmp_path / "model").mkdir()
    return tmp_path / "model"


def test_evaluate_json_reports_objective_and_the_bootstrap_against_tfidf(
    model_folder: Path,
) -> None:
    args = ["lm", "evaluate", "--task", "sentence-roles", "--model", str(model_folder), "--json"]
    result = CliRunner().invoke(app, [*args, "--resamples", "300", "--seed", "4"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["per_class_f1"]["OBJECTIVE"] == 0.0 and payload["accuracy"] == 0.2
    versus = payload["vs_tfidf"]
    assert versus["macro_f1"] == 1.0 and versus["baseline_decoding"].startswith("per-role biases")
    difference = versus["macro_f1_difference"]
    assert (difference["resamples"], difference["seed"], difference["groups"]) == (300, 4, 6)
    assert difference["ci_high"] < 0 and difference["share_at_or_below_zero"] == 1.0


def test_evaluate_without_baseline_skips_the_comparison(model_folder: Path) -> None:
    args = ["lm", "evaluate", "--model", str(model_folder), "--no-baseline", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["vs_tfidf"] is None


def test_evaluate_table_shows_the_tfidf_column_and_the_interval(model_folder: Path) -> None:
    result = CliRunner().invoke(app, ["lm", "evaluate", "--model", str(model_folder)])
    assert result.exit_code == 0, result.output
    assert "TF-IDF F1" in result.stdout
    assert "macro-F1 minus TF-IDF: -0.9333 (95% CI -0.9333 to -0.9333" in result.stdout
    assert "6 abstracts, 1000 resamples" in result.stdout
