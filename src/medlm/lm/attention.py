"""Multi-head attention (self, causal self and cross) and medlm's boolean mask convention.

Mask convention, used everywhere in medlm: an attention mask is a boolean tensor in which
**True means "this query may attend to this key"** and False means "masked out". It is
broadcast to (B, H, T_q, T_k); typical shapes are (B, 1, 1, T_k) for key padding and
(1, 1, T_q, T_k) for causality. A padding mask of shape (B, T) is True at real tokens and
False at padding. This is the convention of `F.scaled_dot_product_attention`'s boolean mask.

Shape legend: B batch, T tokens (T_q queries, T_k keys), D model width, H heads, d head width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from medlm.lm.config import TransformerConfig


def key_padding_mask(padding_mask: Tensor) -> Tensor:
    """(B, T_k) True at real tokens -> (B, 1, 1, T_k) attention mask."""
    return padding_mask.bool()[:, None, None, :]


def causal_mask(seq_len: int, device: torch.device | None = None) -> Tensor:
    """(1, 1, T, T) mask, True where key position <= query position."""
    keep = torch.ones(seq_len, seq_len, dtype=torch.bool, device=device).tril()
    return keep[None, None, :, :]


@dataclass
class KeyValueCache:
    """Keys and values one attention layer computed at earlier decoding steps.

    keys, values: (B, H, T_past, d), None before the first step. Self-attention appends the
    new tokens' keys and values at each step; cross-attention computes them once from the
    encoder output and reuses them.
    """

    keys: Tensor | None = None
    values: Tensor | None = None

    def reorder(self, rows: Tensor) -> None:
        """Keep batch rows `rows` (B_new,) in that order (beam search reorders its beams)."""
        if self.keys is not None and self.values is not None:
            self.keys = self.keys.index_select(0, rows)
            self.values = self.values.index_select(0, rows)


class MultiHeadAttention(nn.Module):
    """Multi-head scaled dot-product attention.

    Self-attention projects queries, keys and values with one fused `qkv_proj` (one matmul
    instead of three); cross-attention (`cross=True`) projects queries from the decoder with
    `q_proj` and keys and values from the encoder output (`memory`) with `kv_proj`.

    Two paths compute the same attention. The fast path calls
    `F.scaled_dot_product_attention`, which picks a fused kernel but never materialises the
    (B, H, T_q, T_k) attention weights. When a caller asks for the weights (to explain a
    prediction), the explicit path computes softmax(QK^T / sqrt(d)) itself and returns them.
    """

    def __init__(self, config: TransformerConfig, *, cross: bool = False) -> None:
        super().__init__()
        self.n_heads = config.n_heads
        self.head_dim = config.head_dim
        self.cross = cross
        d_model = config.d_model
        if cross:
            self.q_proj = nn.Linear(d_model, d_model)
            self.kv_proj = nn.Linear(d_model, 2 * d_model)
        else:
            self.qkv_proj = nn.Linear(d_model, 3 * d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.attention_dropout = config.attention_dropout

    def _split_heads(self, x: Tensor) -> Tensor:
        batch, seq_len, _ = x.shape
        # (B, T, D) -> (B, T, H, d) -> (B, H, T, d)
        return x.view(batch, seq_len, self.n_heads, self.head_dim).transpose(1, 2)

    def _project(
        self, x: Tensor, memory: Tensor | None, cache: KeyValueCache | None
    ) -> tuple[Tensor, Tensor, Tensor]:
        if self.cross:
            q = self._split_heads(self.q_proj(x))  # (B, H, T_q, d)
            if cache is not None and cache.keys is not None and cache.values is not None:
                return q, cache.keys, cache.values  # the memory does not change while decoding
            if memory is None:
                raise ValueError("cross-attention needs the encoder output (memory)")
            k, v = self.kv_proj(memory).chunk(2, dim=-1)  # 2 x (B, T_k, D)
            k, v = self._split_heads(k), self._split_heads(v)
        else:
            q, k, v = (self._split_heads(t) for t in self.qkv_proj(x).chunk(3, dim=-1))
            if cache is not None and cache.keys is not None and cache.values is not None:
                # (B, H, T_past, d) + (B, H, T_new, d) -> (B, H, T_past + T_new, d)
                k = torch.cat([cache.keys, k], dim=2)
                v = torch.cat([cache.values, v], dim=2)
        if cache is not None:
            cache.keys, cache.values = k, v
        return q, k, v

    def forward(
        self,
        x: Tensor,
        *,
        mask: Tensor | None = None,
        memory: Tensor | None = None,
        is_causal: bool = False,
        return_weights: bool = False,
        cache: KeyValueCache | None = None,
    ) -> tuple[Tensor, Tensor | None]:
        """(B, T_q, D) [, memory (B, T_k, D)] -> ((B, T_q, D), weights (B, H, T_q, T_k) or None).

        `mask` follows the module's convention: True = may attend. `is_causal=True` (only
        without a mask) applies the causal mask inside the fused kernel, which then skips the
        masked half of the work. With a `cache`, queries are the new tokens only and keys
        span the cached tokens too; the mask (if any) is then (.., T_q, T_past + T_q), and
        `is_causal` is only right while the cache is empty.
        """
        if is_causal and mask is not None:
            raise ValueError("pass either is_causal=True or an explicit mask, not both")
        q, k, v = self._project(x, memory, cache)  # (B, H, T_q, d), 2 x (B, H, T_k, d)
        dropout_p = self.attention_dropout if self.training else 0.0
        weights: Tensor | None = None
        if return_weights:
            if is_causal:
                mask = causal_mask(x.shape[1], x.device)
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)  # (B, H, T_q, T_k)
            if mask is not None:
                scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
            weights = scores.softmax(dim=-1)
            context = F.dropout(weights, p=dropout_p, training=self.training) @ v
        else:
            context = F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=dropout_p, is_causal=is_causal
            )
        batch, _, seq_len, _ = context.shape
        # (B, H, T_q, d) -> (B, T_q, H, d) -> (B, T_q, D)
        context = context.transpose(1, 2).reshape(batch, seq_len, self.n_heads * self.head_dim)
        return self.out_proj(context), weights
