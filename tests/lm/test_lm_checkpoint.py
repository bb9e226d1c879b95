"""Checkpoints: one folder; loading rebuilds the same model with bit-for-bit equal outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from lm_helpers import tiny_config

from medlm import __version__
from medlm.errors import InputError
from medlm.lm.checkpoint import load_checkpoint, load_training_settings, save_checkpoint
from medlm.lm.models import Batch, LanguageModel, MaskedLanguageModel, SequenceClassifier
from medlm.lm.tokenizer import train_wordpiece


@pytest.mark.parametrize(
    "model",
    [
        MaskedLanguageModel(tiny_config(dropout=0.1)),
        SequenceClassifier(tiny_config(norm_position="pre"), num_labels=3, pooling="first"),
    ],
    ids=["masked_lm", "sequence_classification"],
)
def test_loaded_checkpoint_reproduces_outputs_bit_for_bit(
    model: LanguageModel, tmp_path: Path
) -> None:
    tokenizer = train_wordpiece(["chest pain", "no chest pain"], vocab_size=50)
    save_checkpoint(tmp_path, model, tokenizer, {"learning_rate": 1e-3})
    loaded, loaded_tokenizer = load_checkpoint(tmp_path)
    assert type(loaded) is type(model) and loaded.config == model.config
    batch = Batch(torch.randint(1, 50, (2, 7)), torch.ones(2, 7, dtype=torch.bool))
    assert torch.equal(model.eval()(batch).hidden, loaded(batch).hidden)
    assert loaded_tokenizer is not None
    assert loaded_tokenizer.encode(["chest pain"]) == tokenizer.encode(["chest pain"])
    assert load_training_settings(tmp_path) == {"learning_rate": 1e-3}


def test_checkpoint_records_the_medlm_version_and_kind(tmp_path: Path) -> None:
    save_checkpoint(tmp_path, SequenceClassifier(tiny_config(), num_labels=2), None)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["medlm_version"] == __version__
    assert config["kind"] == "sequence_classification"
    assert config["head"] == {"num_labels": 2, "pooling": "mean"}
    assert (tmp_path / "model.safetensors").is_file()


def test_tied_weights_stay_tied_after_loading(tmp_path: Path) -> None:
    save_checkpoint(tmp_path, MaskedLanguageModel(tiny_config()), None)
    loaded, _ = load_checkpoint(tmp_path)
    assert isinstance(loaded, MaskedLanguageModel)
    assert loaded.lm_head.vocab_proj.weight is loaded.transformer.embeddings.token_embedding.weight


def test_folder_that_is_not_a_checkpoint_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a medlm checkpoint"):
        load_checkpoint(tmp_path)
