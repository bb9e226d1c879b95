"""`medlm lm export` on an abstract-level sentence-role model: fp32 and int8, checked on torch."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from roles_helpers import synthetic_abstracts, tiny_encoder_checkpoint
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.training.abstract_model import AbstractRoleModel, load_role_model
from medlm.training.role_export import OnnxAbstractRoleModel

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None,
    reason="onnx and onnxruntime are not installed (pip install 'medlm[export]')",
)


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("roles")
    encoder = tiny_encoder_checkpoint(root / "encoder")
    model = AbstractRoleModel(
        str(encoder), hidden=8, epochs=2, batch_abstracts=4, folds=2, lexical=False
    )
    model.fit(synthetic_abstracts(6), synthetic_abstracts(2, "validation"))
    return model.save(root / "model")


def test_export_writes_fp32_and_int8_role_models_that_label_like_torch(
    model_folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "roles-onnx"
    args = ["lm", "export", "--model", str(model_folder), "--out", str(out), "--int8", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["kind"] == "abstract-level role model"
    assert payload["folders"] == {"fp32": str(out), "int8": str(out) + "-int8"}
    assert payload["role_agreement_with_torch"]["fp32"] == 1.0
    for folder in payload["folders"].values():
        assert isinstance(load_role_model(folder), OnnxAbstractRoleModel)


def test_export_into_a_used_folder_prints_one_error_line(
    model_folder: Path, tmp_path: Path
) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "model.onnx").write_text("old")
    args = ["lm", "export", "--model", str(model_folder), "--out", str(tmp_path / "used")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "is not empty" in result.output


def test_precision_auto_writes_the_int8_copy_when_int8_is_this_machines_choice(
    model_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from medlm.training import role_export

    def int8_fastest(source: Path, cache_dir: object = None, texts: object = None) -> object:
        return "int8", SimpleNamespace(chosen="int8-onnx")

    monkeypatch.setattr(role_export, "machine_precision", int8_fastest)
    out = tmp_path / "auto"
    args = ["lm", "export", "--model", str(model_folder), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--precision", "auto", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["machine_encoder_path"] == "int8-onnx"
    assert set(payload["folders"]) == {"fp32", "int8"}
    result = CliRunner().invoke(app, [*args, "--precision", "bf8"])
    assert result.exit_code == 2 and "use fp32, int8 or auto" in result.output
