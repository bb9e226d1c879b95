"""Tiny models and synthetic token data for the training tests (hidden 32, 2 layers)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
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


def runs_repeat_after_random_state_moves(run: Callable[[Path], object], folder: Path) -> bool:
    """Run `run(out)` twice (it saves a checkpoint to `out`), moving torch's global random state
    in between as other work in the process would; whether both saved identical weights."""
    from medlm.lm.checkpoint import load_checkpoint

    run(folder / "a")
    torch.rand(7)
    run(folder / "b")
    first, _ = load_checkpoint(folder / "a")
    second, _ = load_checkpoint(folder / "b")
    a, b = first.state_dict(), second.state_dict()
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
