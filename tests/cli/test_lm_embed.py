"""`medlm lm embed --jsonl` streams JSON lines; `medlm lm bench --json`: the precision table."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from medlm.cli import lm_embed
from medlm.cli.app import app
from medlm.lm import encoder_precision
from medlm.lm import precision as prec
from medlm.lm.config import TransformerConfig
from medlm.lm.encoding import TextEncoder
from medlm.lm.models import LanguageModel
from medlm.lm.tokenizer import Tokenizer, train_wordpiece

TEXTS = ["Patient denies chest pain.", "Fever and cough for a week.", "pain", "No adverse events."]


@cache
def _tokenizer() -> Tokenizer:
    """One tokenizer for every tiny encoder (training it twice may number pieces differently)."""
    return train_wordpiece(TEXTS * 3, vocab_size=100)


def _tiny(name: str, **kwargs: Any) -> TextEncoder:
    torch.manual_seed(0)
    tokenizer = _tokenizer()
    config = TransformerConfig(
        vocab_size=tokenizer.vocab_size, d_model=16, n_heads=2, n_layers=1, d_ff=32, max_length=32
    )
    kwargs.pop("max_length", None)
    return TextEncoder(LanguageModel(config), tokenizer, name=name, max_length=32, **kwargs)


@pytest.fixture
def tiny_encoder(monkeypatch: pytest.MonkeyPatch, cli_env: Path) -> None:
    monkeypatch.setattr(
        TextEncoder, "from_pretrained", classmethod(lambda cls, n, **k: _tiny(n, **k))
    )
    monkeypatch.setattr(prec, "calibration_texts", lambda n=64: TEXTS)
    monkeypatch.setattr(encoder_precision, "matmul_peak", lambda dtype: 1e9)
    monkeypatch.setattr(prec, "onnx_available", lambda: False)


def test_embed_jsonl_writes_one_line_per_input_and_an_error_line_for_a_bad_one(
    runner: CliRunner, tiny_encoder: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lm_embed, "CHUNK_LINES", 2)  # several chunks: the stream is not read whole
    lines = [
        json.dumps({"id": "a", "text": TEXTS[0]}),
        json.dumps({"id": 7, "text": TEXTS[1]}),
        '{"id": "bad", "txt": "no text field"}',
        "",
        "not json at all",
        json.dumps({"id": "d", "text": TEXTS[3]}),
    ]
    result = runner.invoke(
        app, ["lm", "embed", "--jsonl", "--precision", "fp32", "--batch-size", "1"],
        input="\n".join(lines) + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", 7, "bad", None, "d"]
    assert out[2]["line"] == 3 and "text" in out[2]["error"]
    assert out[3]["line"] == 5 and "error" in out[3]
    expected = _tiny("x").embed([TEXTS[0], TEXTS[1], TEXTS[3]])
    got = np.array([out[0]["embedding"], out[1]["embedding"], out[4]["embedding"]])
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert "2 of 5 input lines could not be embedded" in result.stderr


def test_embed_jsonl_exits_1_when_no_line_could_be_embedded(
    runner: CliRunner, tiny_encoder: None
) -> None:
    result = runner.invoke(app, ["lm", "embed", "--jsonl", "--precision", "fp32"], input="{}\n")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["line"] == 1


def test_embed_without_texts_or_jsonl_is_one_error_line(
    runner: CliRunner, tiny_encoder: None
) -> None:
    result = runner.invoke(app, ["lm", "embed"])
    assert result.exit_code == 2 and "--jsonl" in result.output


def test_embed_refuses_an_unknown_precision(runner: CliRunner, tiny_encoder: None) -> None:
    result = runner.invoke(app, ["lm", "embed", "--precision", "fp16", "x"])
    assert result.exit_code == 2


def test_bench_json_has_machine_peaks_and_the_table_auto_chose_from(
    runner: CliRunner, tiny_encoder: None, cli_env: Path
) -> None:
    result = runner.invoke(app, ["lm", "bench", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"machine", "load_average", "peak_gflops", "choice"}
    assert report["machine"]["cpu_model"] and "fp32" in report["peak_gflops"]
    rows = report["choice"]["candidates"]
    assert [r["path"] for r in rows] == prec.candidate_paths("encoder")
    assert set(rows[0]) == {
        "path", "items_per_second", "ratio_to_fp32", "quality", "passed", "chosen", "error"
    }  # fmt: skip
    assert sum(r["chosen"] for r in rows) == 1
    assert list((cli_env / "cache" / "precision").glob("*.json")), "the table is cached"
