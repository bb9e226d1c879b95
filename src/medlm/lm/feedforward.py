"""The position-wise feed-forward block of a transformer layer."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from medlm.lm.config import TransformerConfig


def activation_fn(name: str) -> nn.Module:
    """The activation named by `TransformerConfig.activation` ("gelu" is the exact erf GELU)."""
    if name == "gelu":
        return nn.GELU()
    if name == "gelu_tanh":
        return nn.GELU(approximate="tanh")
    if name == "relu":
        return nn.ReLU()
    if name == "silu":
        return nn.SiLU()
    raise ValueError(f"unknown activation {name!r}")


class FeedForward(nn.Module):
    """Linear (D -> F), activation, dropout, linear (F -> D). Shape: (B, T, D) -> (B, T, D)."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.in_proj = nn.Linear(config.d_model, config.d_ff)
        self.activation = activation_fn(config.activation)
        self.out_proj = nn.Linear(config.d_ff, config.d_model)
        self.dropout = config.dropout

    def forward(self, x: Tensor) -> Tensor:
        hidden = self.activation(self.in_proj(x))  # (B, T, F)
        hidden = F.dropout(hidden, p=self.dropout, training=self.training)
        return self.out_proj(hidden)  # (B, T, D)
