"""The encoder: a layer of self-attention plus feed-forward, and the stack of such layers.

Shape legend: B batch, T tokens, D model width, H heads.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from medlm.lm.attention import KeyValueCache, MultiHeadAttention
from medlm.lm.config import TransformerConfig
from medlm.lm.feedforward import FeedForward


class EncoderLayer(nn.Module):
    """Self-attention then feed-forward, each in a residual branch with layer norm.

    Post-norm (BERT): x = norm(x + sublayer(x)). Pre-norm: x = x + sublayer(norm(x)).
    A causal `mask` turns it into the layer of a decoder-only model.
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.self_attention = MultiHeadAttention(config)
        self.attention_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.feed_forward = FeedForward(config)
        self.feed_forward_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.pre_norm = config.norm_position == "pre"
        self.dropout = config.dropout

    def forward(
        self,
        x: Tensor,
        mask: Tensor | None = None,
        is_causal: bool = False,
        return_weights: bool = False,
        cache: KeyValueCache | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        """(B, T, D) -> ((B, T, D), attention weights (B, H, T, T) or None).

        `cache` (decoder-only models) holds this layer's keys and values of earlier tokens.
        """
        options = {
            "mask": mask,
            "is_causal": is_causal,
            "return_weights": return_weights,
            "cache": cache,
        }
        drop = self.dropout if self.training else 0.0
        if self.pre_norm:
            attended, weights = self.self_attention(self.attention_norm(x), **options)
            x = x + F.dropout(attended, drop, self.training)
            x = x + F.dropout(self.feed_forward(self.feed_forward_norm(x)), drop, self.training)
        else:
            attended, weights = self.self_attention(x, **options)
            x = self.attention_norm(x + F.dropout(attended, drop, self.training))
            x = self.feed_forward_norm(x + F.dropout(self.feed_forward(x), drop, self.training))
        return x, weights


class Encoder(nn.Module):
    """A stack of `n_layers` encoder layers (plus a final layer norm when pre-norm)."""

    def __init__(self, config: TransformerConfig, n_layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(config) for _ in range(n_layers))
        self.final_norm = (
            nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
            if config.norm_position == "pre"
            else None
        )

    def forward(
        self,
        x: Tensor,
        mask: Tensor | None = None,
        is_causal: bool = False,
        return_weights: bool = False,
        caches: list[KeyValueCache] | None = None,
    ) -> tuple[Tensor, list[Tensor]]:
        """(B, T, D) -> ((B, T, D), per-layer attention weights if requested, else []).

        `caches`, one per layer, make a decoder-only model decode incrementally.
        """
        all_weights: list[Tensor] = []
        for i, layer in enumerate(self.layers):
            cache = caches[i] if caches is not None else None
            x, weights = layer(x, mask, is_causal, return_weights, cache)
            if weights is not None:
                all_weights.append(weights)
        if self.final_norm is not None:
            x = self.final_norm(x)
        return x, all_weights
