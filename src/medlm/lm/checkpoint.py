"""Checkpoints: one folder holding weights, config, tokenizer, training settings and version.

Layout of a checkpoint folder:
    model.safetensors      weights (tied tensors stored once)
    config.json            {"medlm_version", "kind", "head", "transformer"}
    tokenizer.json         the tokenizer, plus tokenizer_roles.json for its special tokens
    training.json          the training settings the model was trained with (may be {})
Loading a checkpoint rebuilds the same model class and reproduces its outputs bit for bit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from safetensors.torch import load_model, save_model

from medlm import __version__
from medlm.errors import InputError
from medlm.lm.config import TransformerConfig
from medlm.lm.models import MODEL_KINDS, LanguageModel
from medlm.lm.tokenizer import Tokenizer

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
TRAINING_FILE = "training.json"


def is_checkpoint(folder: Path) -> bool:
    """Whether `folder` is a medlm checkpoint (rather than, say, a Hugging Face model folder)."""
    config = folder / CONFIG_FILE
    if not config.is_file():
        return False
    try:
        return "medlm_version" in json.loads(config.read_text())
    except json.JSONDecodeError:
        return False


def save_checkpoint(
    folder: Path,
    model: LanguageModel,
    tokenizer: Tokenizer | None,
    training_settings: dict[str, Any] | None = None,
) -> Path:
    """Write `model` (and its tokenizer and training settings) into `folder`; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    save_model(model, str(folder / WEIGHTS_FILE))
    config = {
        "medlm_version": __version__,
        "kind": model.kind,
        "head": model.head_settings(),
        "transformer": model.config.to_dict(),
    }
    (folder / CONFIG_FILE).write_text(json.dumps(config, indent=2))
    (folder / TRAINING_FILE).write_text(json.dumps(training_settings or {}, indent=2))
    if tokenizer is not None:
        tokenizer.save(folder)
    return folder


def load_checkpoint(folder: Path) -> tuple[LanguageModel, Tokenizer | None]:
    """Rebuild the model saved in `folder` (in eval mode) and its tokenizer, if one was saved."""
    if not is_checkpoint(folder):
        raise InputError(f"{folder} is not a medlm checkpoint (no config.json with medlm_version)")
    config = json.loads((folder / CONFIG_FILE).read_text())
    kind = config.get("kind")
    if kind not in MODEL_KINDS:
        raise InputError(
            f"checkpoint {folder}: unknown model kind {kind!r}; known kinds: {sorted(MODEL_KINDS)}"
        )
    transformer_config = TransformerConfig.from_dict(config["transformer"])
    model = MODEL_KINDS[kind](transformer_config, **config.get("head", {}))
    missing, unexpected = load_model(model, str(folder / WEIGHTS_FILE), strict=False)
    if missing or unexpected:
        raise InputError(
            f"checkpoint {folder}: missing weights {sorted(missing)}, "
            f"unexpected weights {sorted(unexpected)}"
        )
    model.eval()
    tokenizer = Tokenizer.load(folder) if (folder / "tokenizer.json").is_file() else None
    return model, tokenizer


def load_training_settings(folder: Path) -> dict[str, Any]:
    """The training settings saved with a checkpoint ({} if none were saved)."""
    path = folder / TRAINING_FILE
    return dict(json.loads(path.read_text())) if path.is_file() else {}
