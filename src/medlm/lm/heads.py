"""Output heads on top of the transformer's hidden states: LM and classification heads.

Shape legend: B batch, T tokens, D model width, V vocabulary, C classes.
"""

from __future__ import annotations

from typing import Literal

import torch.nn.functional as F
from torch import Tensor, nn

from medlm.lm.config import TransformerConfig
from medlm.lm.feedforward import activation_fn

Pooling = Literal["mean", "first"]


def mean_pool(hidden: Tensor, padding_mask: Tensor | None) -> Tensor:
    """Average of the hidden states of real tokens: (B, T, D), (B, T) -> (B, D)."""
    if padding_mask is None:
        return hidden.mean(dim=1)
    weights = padding_mask.to(hidden.dtype).unsqueeze(-1)  # (B, T, 1)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


class MaskedLMHead(nn.Module):
    """BERT's masked-LM head: dense, activation, layer norm, then projection to the vocabulary.

    The projection weight is the token embedding table when the config ties them.
    """

    def __init__(self, config: TransformerConfig, token_embedding: nn.Embedding) -> None:
        super().__init__()
        self.dense = nn.Linear(config.d_model, config.d_model)
        self.activation = activation_fn(config.activation)
        self.norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.vocab_proj = nn.Linear(config.d_model, config.vocab_size)
        if config.tie_word_embeddings:
            self.vocab_proj.weight = token_embedding.weight

    def forward(self, hidden: Tensor) -> Tensor:
        """(B, T, D) -> (B, T, V) logits."""
        return self.vocab_proj(self.norm(self.activation(self.dense(hidden))))


class CausalLMHead(nn.Module):
    """Projection of hidden states to next-token logits (tied to the embeddings if configured)."""

    def __init__(self, config: TransformerConfig, token_embedding: nn.Embedding) -> None:
        super().__init__()
        self.vocab_proj = nn.Linear(config.d_model, config.vocab_size, bias=False)
        if config.tie_word_embeddings:
            self.vocab_proj.weight = token_embedding.weight

    def forward(self, hidden: Tensor) -> Tensor:
        """(B, T, D) -> (B, T, V) logits."""
        return self.vocab_proj(hidden)


class SequenceClassificationHead(nn.Module):
    """Pool the sequence (mean of real tokens, or the first token), dropout, linear to C."""

    def __init__(self, config: TransformerConfig, num_labels: int, pooling: Pooling) -> None:
        super().__init__()
        if pooling not in ("mean", "first"):
            raise ValueError(f"pooling must be 'mean' or 'first', got {pooling!r}")
        self.pooling = pooling
        self.dropout = config.dropout
        self.classifier = nn.Linear(config.d_model, num_labels)

    def forward(self, hidden: Tensor, padding_mask: Tensor | None) -> Tensor:
        """(B, T, D), (B, T) -> (B, C) logits."""
        pooled = mean_pool(hidden, padding_mask) if self.pooling == "mean" else hidden[:, 0]
        return self.classifier(F.dropout(pooled, self.dropout, self.training))


class TokenClassificationHead(nn.Module):
    """Dropout and a linear layer on every token: (B, T, D) -> (B, T, C) logits."""

    def __init__(self, config: TransformerConfig, num_labels: int) -> None:
        super().__init__()
        self.dropout = config.dropout
        self.classifier = nn.Linear(config.d_model, num_labels)

    def forward(self, hidden: Tensor) -> Tensor:
        return self.classifier(F.dropout(hidden, self.dropout, self.training))
