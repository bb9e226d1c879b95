"""Tiny models and synthetic token data for the training tests (hidden 32, 2 layers)."""

from __future__ import annotations

from typing import Any

import torch

from medlm.lm.config import TransformerConfig
from medlm.training.batching import Example

VOCAB = 40
PAD, START, END, MASK = 0, 1, 2, 3
SENTINELS = (4, 5, 6, 7)
SPECIALS = (PAD, START, END, MASK, *SENTINELS)


def tiny_config(**overrides: Any) -> TransformerConfig:
    values: dict[str, Any] = {
        "vocab_size": VOCAB,
        "d_model": 32,
        "n_heads": 4,
        "n_layers": 2,
        "d_ff": 64,
        "max_length": 32,
        "dropout": 0.0,
        "attention_dropout": 0.0,
        "layer_norm_eps": 1e-5,
    }
    values.update(overrides)
    return TransformerConfig(**values)


def synthetic_examples(n: int, length: int = 12, seed: int = 0) -> list[Example]:
    """Synthetic sequences: START, content tokens, END (all the same length)."""
    generator = torch.Generator().manual_seed(seed)
    content = torch.randint(len(SPECIALS), VOCAB, (n, length - 2), generator=generator)
    return [Example([START, *row.tolist(), END]) for row in content]
