"""`medlm lm embed`: the acceptance check against sentence-transformers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
