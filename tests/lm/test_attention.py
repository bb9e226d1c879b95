"""Multi-head attention: the explicit path equals the fused path; masks hide keys."""

from __future__ import annotations

import torch

from medlm.lm.attention import MultiHeadAttention, causal_mask, key_padding_mask
from medlm.lm.config import TransformerConfig


def test_explicit_weights_path_matches_fused_path(tiny: TransformerConfig) -> None:
    torch.manual_seed(0)
    attention = MultiHeadAttention(tiny).eval()
    x = torch.randn(2, 7, 32)
    mask = key_padding_mask(torch.tensor([[1] * 7, [1] * 4 + [0] * 3]).bool())
    fast, no_weights = attention(x, mask=mask)
    slow, weights = attention(x, mask=mask, return_weights=True)
    assert no_weights is None
    torch.testing.assert_close(fast, slow, atol=1e-5, rtol=1e-5)
    assert weights is not None and weights.shape == (2, 4, 7, 7)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4, 7))
    assert weights[1, :, :, 4:].abs().max() == 0


def test_causal_mask_lets_each_position_see_only_itself_and_the_past() -> None:
    mask = causal_mask(4)[0, 0]
    assert mask.tolist() == [
        [True, False, False, False],
        [True, True, False, False],
        [True, True, True, False],
        [True, True, True, True],
    ]


def test_cross_attention_reads_keys_from_memory(tiny: TransformerConfig) -> None:
    torch.manual_seed(0)
    attention = MultiHeadAttention(tiny, cross=True).eval()
    out, weights = attention(
        torch.randn(2, 3, 32), memory=torch.randn(2, 5, 32), return_weights=True
    )
    assert out.shape == (2, 3, 32)
    assert weights is not None and weights.shape == (2, 4, 3, 5)


def test_kernel_causality_equals_an_explicit_causal_mask(tiny: TransformerConfig) -> None:
    torch.manual_seed(0)
    attention = MultiHeadAttention(tiny).eval()
    x = torch.randn(2, 6, 32)
    in_kernel, _ = attention(x, is_causal=True)
    explicit, _ = attention(x, mask=causal_mask(6))
    with_weights, weights = attention(x, is_causal=True, return_weights=True)
    torch.testing.assert_close(in_kernel, explicit, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(in_kernel, with_weights, atol=1e-5, rtol=1e-5)
    assert weights is not None and weights[0, 0].triu(1).abs().max() == 0
