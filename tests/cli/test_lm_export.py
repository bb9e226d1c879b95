"""`medlm lm export`: writes fp32 and int8 exports of a checkpoint and checks fp32 parity."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch
import typer
from typer.testing import CliRunner

from medlm.cli.lm_export import export
from medlm.lm.checkpoint import save_checkpoint
from medlm.lm.config import TransformerConfig
from medlm.lm.export import read_export_info
from medlm.lm.models import LanguageModel, SequenceClassifier
from medlm.lm.tokenizer import train_wordpiece

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None,
    reason="onnx and onnxruntime are not installed (pip install 'medlm[export]')",
)
TEXTS = ["patient denies chest pain", "blood pressure was high", "started metformin daily"]


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(export)
    app.command("other")(lambda: None)  # two commands keep `export` a named subcommand
    return app


def _checkpoint(folder: Path, classifier: bool) -> Path:
    torch.manual_seed(0)
    tokenizer = train_wordpiece(TEXTS, vocab_size=80)
    config = TransformerConfig(
        vocab_size=tokenizer.vocab_size, d_model=32, n_heads=4, n_layers=2, d_ff=64, max_length=64
    )
    model = SequenceClassifier(config, num_labels=2) if classifier else LanguageModel(config)
    training = {"labels": ["no", "yes"]} if classifier else {}
    return save_checkpoint(folder, model, tokenizer, training)


@pytest.mark.parametrize("classifier", [False, True])
def test_export_writes_fp32_and_int8_folders_matching_torch(
    tmp_path: Path, classifier: bool
) -> None:
    model = _checkpoint(tmp_path / "model", classifier)
    out = tmp_path / "onnx"
    args = ["export", "--model", str(model), "--out", str(out), "--int8", "--json"]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["kind"] == ("classifier" if classifier else "encoder")
    assert report["max_abs_diff_fp32"] < 1e-4
    assert read_export_info(out).precision == "fp32"
    assert read_export_info(tmp_path / "onnx-int8").precision == "int8"
    if classifier:
        assert read_export_info(out).labels == ["no", "yes"]


def test_export_prints_a_table_of_folders_without_json(tmp_path: Path) -> None:
    model = _checkpoint(tmp_path / "model", classifier=False)
    args = ["export", "--model", str(model), "--out", str(tmp_path / "onnx")]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    assert "encoder exported" in result.output and "fp32" in result.output
    assert not (tmp_path / "onnx-int8").exists()
