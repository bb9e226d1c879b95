"""The transformer forward pass: shapes, causality, padding invariance, masks, determinism."""

from __future__ import annotations

import pytest
import torch
from lm_helpers import tiny_config

from medlm.lm.config import TransformerConfig
from medlm.lm.transformer import Transformer


def _ids(batch: int, length: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(1, 50, (batch, length), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("norm_position", ["pre", "post"])
@pytest.mark.parametrize("architecture", ["encoder", "decoder"])
def test_output_shape_is_batch_tokens_width(architecture: str, norm_position: str) -> None:
    model = Transformer(tiny_config(architecture=architecture, norm_position=norm_position))
    out = model(_ids(3, 9))
    assert out.hidden.shape == (3, 9, 32)
    assert out.memory is None


def test_encoder_decoder_returns_decoder_states_and_memory() -> None:
    model = Transformer(tiny_config(architecture="encoder-decoder", n_decoder_layers=2))
    out = model(_ids(2, 7), decoder_input_ids=_ids(2, 4, seed=1))
    assert out.hidden.shape == (2, 4, 32)
    assert out.memory is not None and out.memory.shape == (2, 7, 32)


def test_decoder_only_is_causal_changing_token_t_plus_1_leaves_earlier_outputs() -> None:
    torch.manual_seed(0)
    model = Transformer(tiny_config(architecture="decoder", norm_position="pre")).eval()
    ids = _ids(1, 8)
    changed = ids.clone()
    changed[0, 5] = (ids[0, 5] % 49) + 1
    before, after = model(ids).hidden, model(changed).hidden
    torch.testing.assert_close(before[:, :5], after[:, :5], atol=0, rtol=0)
    assert not torch.allclose(before[:, 5:], after[:, 5:])


def test_encoder_decoder_decoder_is_causal() -> None:
    model = Transformer(tiny_config(architecture="encoder-decoder", n_decoder_layers=2)).eval()
    source, target = _ids(1, 6), _ids(1, 5, seed=2)
    changed = target.clone()
    changed[0, 3] = (target[0, 3] % 49) + 1
    before = model(source, decoder_input_ids=target).hidden
    after = model(source, decoder_input_ids=changed).hidden
    torch.testing.assert_close(before[:, :3], after[:, :3], atol=0, rtol=0)


def test_encoder_is_bidirectional() -> None:
    model = Transformer(tiny_config()).eval()
    ids = _ids(1, 8)
    changed = ids.clone()
    changed[0, 7] = (ids[0, 7] % 49) + 1
    assert not torch.allclose(model(ids).hidden[:, 0], model(changed).hidden[:, 0])


@pytest.mark.parametrize("architecture", ["encoder", "decoder"])
def test_padding_does_not_change_outputs_of_real_tokens(architecture: str) -> None:
    model = Transformer(tiny_config(architecture=architecture)).eval()
    ids = _ids(1, 5)
    padded = torch.cat([ids, torch.zeros(1, 4, dtype=torch.long)], dim=1)
    mask = torch.tensor([[True] * 5 + [False] * 4])
    alone = model(ids).hidden
    in_padding = model(padded, padding_mask=mask).hidden[:, :5]
    torch.testing.assert_close(alone, in_padding, atol=1e-5, rtol=1e-5)


def test_cross_attention_ignores_masked_source_tokens() -> None:
    model = Transformer(tiny_config(architecture="encoder-decoder", n_decoder_layers=1)).eval()
    source, target = _ids(1, 8), _ids(1, 4, seed=3)
    mask = torch.tensor([[True] * 5 + [False] * 3])
    garbage = source.clone()
    garbage[0, 5:] = torch.tensor([7, 8, 9])
    first = model(source, padding_mask=mask, decoder_input_ids=target).hidden
    second = model(garbage, padding_mask=mask, decoder_input_ids=target).hidden
    torch.testing.assert_close(first, second, atol=0, rtol=0)
    unmasked = model(garbage, decoder_input_ids=target).hidden
    assert not torch.allclose(first, unmasked)


def test_same_seed_gives_identical_weights_and_outputs(tiny: TransformerConfig) -> None:
    torch.manual_seed(42)
    first = Transformer(tiny).eval()
    torch.manual_seed(42)
    second = Transformer(tiny).eval()
    ids = _ids(2, 6)
    assert torch.equal(first(ids).hidden, second(ids).hidden)


def test_attention_weights_are_returned_per_layer_when_requested(tiny: TransformerConfig) -> None:
    model = Transformer(tiny).eval()
    ids = _ids(2, 6)
    out = model(ids, return_attentions=True)
    assert out.attentions is not None and len(out.attentions) == 2
    assert out.attentions[0].shape == (2, 4, 6, 6)
    torch.testing.assert_close(out.hidden, model(ids).hidden, atol=1e-5, rtol=1e-5)


def test_sequence_longer_than_max_length_is_refused(tiny: TransformerConfig) -> None:
    with pytest.raises(ValueError, match="longer than max_length=24"):
        Transformer(tiny)(_ids(1, 30))
