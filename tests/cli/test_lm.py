"""`medlm lm embed`: the acceptance check against sentence-transformers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from medlm.cli.app import app

SENTENCE = "Patient denies chest pain."


@pytest.mark.slow
def test_medlm_lm_embed_json_equals_sentence_transformers_minilm(cli_env: Path) -> None:
    from sentence_transformers import SentenceTransformer

    from medlm.lm.pretrained import resolve_model_folder

    command = [str(Path(sys.executable).parent / "medlm"), "lm", "embed", "--model", "minilm"]
    command += ["--precision", "fp32"]  # the parity check is of the fp32 path
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [*command, "--json", SENTENCE], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["model"] == "minilm" and payload["dim"] == 384
    vector = np.asarray(payload["embeddings"][0])
    assert vector.shape == (384,)
    assert abs(np.linalg.norm(vector) - 1.0) < 1e-5
    reference = SentenceTransformer(str(resolve_model_folder("minilm")), device="cpu")
    expected = reference.encode([SENTENCE], normalize_embeddings=True)[0]
    assert np.abs(vector - expected).max() < 1e-4


def test_embed_with_unknown_model_prints_one_error_line(runner: CliRunner, cli_env: object) -> None:
    result = runner.invoke(app, ["lm", "embed", "--model", "no-such-model", "text"])
    assert result.exit_code == 2
    assert "neither a known model name" in result.output


def _synthetic_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    from roles_helpers import synthetic_abstracts

    from medlm.training import sentence_roles

    def fake(split: str | None = None) -> list[Any]:
        return synthetic_abstracts(30 if split == "train" else 6, split or "train")

    monkeypatch.setattr(sentence_roles, "load_role_sentences", fake)


def test_lm_evaluate_tfidf_prints_accuracy_macro_f1_and_per_class(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _synthetic_roles(monkeypatch)
    result = CliRunner().invoke(app, ["lm", "evaluate", "--model", "tfidf", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["macro_f1"] == 1.0 and payload["n_abstracts"] == 6
    assert payload["decoding"].startswith("per-role biases chosen on validation")
    assert set(payload["per_class_f1"]) == {
        "BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"
    }  # fmt: skip


def test_lm_finetune_then_evaluate_a_model_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from roles_helpers import tiny_encoder_checkpoint

    _synthetic_roles(monkeypatch)
    init = tiny_encoder_checkpoint(tmp_path / "enc")
    out = tmp_path / "roles"
    args = ["lm", "finetune", "--init", str(init), "--out", str(out), "--max-steps", "3", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["steps"] == 3
    result = CliRunner().invoke(app, ["lm", "evaluate", "--model", str(out)])
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.stdout


def test_lm_commands_refuse_unknown_tasks_and_corpora(tmp_path: Path) -> None:
    for args in (
        ["lm", "evaluate", "--model", "tfidf", "--task", "ner"],
        ["lm", "finetune", "--out", str(tmp_path), "--task", "ner"],
        ["lm", "pretrain", "--out", str(tmp_path), "--corpus", "wiki", "--max-steps", "1"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2 and "the only" in result.output, args
