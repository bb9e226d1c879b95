"""The decoder: causal self-attention, cross-attention to the encoder, feed-forward; and its stack.

Shape legend: B batch, T target tokens, S source tokens, D model width, H heads.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from medlm.lm.attention import KeyValueCache, MultiHeadAttention
from medlm.lm.config import TransformerConfig
from medlm.lm.feedforward import FeedForward

LayerCache = tuple[KeyValueCache, KeyValueCache]
"""One decoder layer's caches: (self-attention, cross-attention)."""


class DecoderLayer(nn.Module):
    """Causal self-attention, cross-attention over the encoder output, then feed-forward.

    Each sub-layer sits in a residual branch with layer norm (pre- or post-norm as configured).
    Self-attention is causal: without target padding (`self_mask` None) the attention kernel
    applies causality itself; with padding the caller passes the combined mask. The
    cross-attention mask hides source padding.
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.self_attention = MultiHeadAttention(config)
        self.self_attention_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.cross_attention = MultiHeadAttention(config, cross=True)
        self.cross_attention_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.feed_forward = FeedForward(config)
        self.feed_forward_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
        self.pre_norm = config.norm_position == "pre"
        self.dropout = config.dropout

    def _residual(self, x: Tensor, norm: nn.Module, sublayer_out: Tensor) -> Tensor:
        out = x + F.dropout(sublayer_out, self.dropout, self.training)
        return out if self.pre_norm else norm(out)

    def forward(
        self,
        x: Tensor,
        memory: Tensor | None,
        self_mask: Tensor | None,
        memory_mask: Tensor | None,
        cache: LayerCache | None = None,
    ) -> Tensor:
        """(B, T, D), memory (B, S, D) -> (B, T, D). `self_mask` None means plain causal.

        With a `cache` (incremental decoding) `memory` may be None once the cross-attention
        keys and values are cached.
        """
        self_cache, cross_cache = cache if cache is not None else (None, None)
        pre = self.pre_norm
        h = self.self_attention_norm(x) if pre else x
        attended, _ = self.self_attention(
            h, mask=self_mask, is_causal=self_mask is None, cache=self_cache
        )
        x = self._residual(x, self.self_attention_norm, attended)

        h = self.cross_attention_norm(x) if pre else x
        attended, _ = self.cross_attention(h, mask=memory_mask, memory=memory, cache=cross_cache)
        x = self._residual(x, self.cross_attention_norm, attended)

        h = self.feed_forward_norm(x) if pre else x
        return self._residual(x, self.feed_forward_norm, self.feed_forward(h))


class Decoder(nn.Module):
    """A stack of decoder layers (plus a final layer norm when pre-norm)."""

    def __init__(self, config: TransformerConfig, n_layers: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(n_layers))
        self.final_norm = (
            nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
            if config.norm_position == "pre"
            else None
        )

    def forward(
        self,
        x: Tensor,
        memory: Tensor | None,
        self_mask: Tensor | None,
        memory_mask: Tensor | None,
        caches: list[LayerCache] | None = None,
    ) -> Tensor:
        """(B, T, D), memory (B, S, D) -> (B, T, D); `caches` one per layer when decoding."""
        for i, layer in enumerate(self.layers):
            x = layer(x, memory, self_mask, memory_mask, caches[i] if caches else None)
        if self.final_norm is not None:
            x = self.final_norm(x)
        return x
