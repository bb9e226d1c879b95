"""TextEncoder.embed: unit vectors, input order kept across length buckets."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from lm_helpers import tiny_config

from medlm.errors import InputError
from medlm.lm.encoding import TextEncoder, token_batches
from medlm.lm.models import LanguageModel
from medlm.lm.tokenizer import train_wordpiece

TEXTS = [
    "a much longer sentence about chest pain and breathlessness at night",
    "pain",
    "no chest pain today",
    "fever",
    "cough with sputum for a week",
]


def _encoder() -> TextEncoder:
    torch.manual_seed(0)
    tokenizer = train_wordpiece(TEXTS, vocab_size=80)
    model = LanguageModel(tiny_config(vocab_size=tokenizer.vocab_size, max_length=32))
    return TextEncoder(model, tokenizer, max_length=32)


def test_embeddings_are_unit_vectors_of_model_width() -> None:
    vectors = _encoder().embed(TEXTS)
    assert vectors.shape == (5, 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_bucketed_batches_return_embeddings_in_input_order() -> None:
    encoder = _encoder()
    together = encoder.embed(TEXTS, batch_size=2)
    one_by_one = np.stack([encoder.embed([text])[0] for text in TEXTS])
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)


def test_embed_runs_without_gradient() -> None:
    encoder = _encoder()
    calls: list[int] = []
    encoder.embed(TEXTS, batch_size=2, on_batch=calls.append)
    assert sum(calls) == len(TEXTS)  # batches by token budget: short texts share a batch
    assert all(p.grad is None for p in encoder.model.parameters())


def test_non_string_text_is_an_input_error_naming_its_position() -> None:
    with pytest.raises(InputError, match="text 1 is a int"):
        _encoder().embed(["ok", 3])  # type: ignore[list-item]


def test_no_texts_give_an_empty_array() -> None:
    assert _encoder().embed([]).shape == (0, 32)


def test_token_budget_batches_short_texts_in_larger_batches() -> None:
    lengths = [4, 4, 4, 4, 4, 4, 20, 20, 20]
    batches = list(token_batches(range(9), lengths, token_budget=24))
    assert batches == [[0, 1, 2, 3, 4, 5], [6], [7], [8]]
