"""Tiny model configurations for the language model tests (hidden 32, 2 layers)."""

from __future__ import annotations

from typing import Any

from medlm.lm.config import TransformerConfig


def tiny_config(**overrides: Any) -> TransformerConfig:
    values: dict[str, Any] = {
        "vocab_size": 50,
        "d_model": 32,
        "n_heads": 4,
        "n_layers": 2,
        "d_ff": 64,
        "max_length": 24,
        "dropout": 0.0,
        "attention_dropout": 0.0,
        "layer_norm_eps": 1e-5,
    }
    values.update(overrides)
    return TransformerConfig(**values)
