"""Task models: logits shapes and losses of each head."""

from __future__ import annotations

import torch
from lm_helpers import tiny_config

from medlm.lm.config import TransformerConfig
from medlm.lm.models import (
    IGNORE_INDEX,
    Batch,
    CausalLanguageModel,
    LanguageModel,
    MaskedLanguageModel,
    Seq2SeqLanguageModel,
    SequenceClassifier,
    TokenClassifier,
)


def _batch(labels: torch.Tensor | None = None) -> Batch:
    ids = torch.randint(1, 50, (3, 6), generator=torch.Generator().manual_seed(0))
    mask = torch.ones(3, 6, dtype=torch.bool)
    mask[2, 4:] = False
    return Batch(ids, mask, labels=labels)


def test_sequence_classifier_gives_one_logit_row_per_text(tiny: TransformerConfig) -> None:
    out = SequenceClassifier(tiny, num_labels=3)(_batch(torch.tensor([0, 2, 1])))
    assert out.logits is not None and out.logits.shape == (3, 3)
    assert out.loss is not None and out.loss.ndim == 0


def test_token_classifier_ignores_labels_at_padding(tiny: TransformerConfig) -> None:
    labels = torch.zeros(3, 6, dtype=torch.long)
    labels[2, 4:] = IGNORE_INDEX
    out = TokenClassifier(tiny, num_labels=5)(_batch(labels))
    assert out.logits is not None and out.logits.shape == (3, 6, 5)
    assert out.loss is not None and torch.isfinite(out.loss)


def test_masked_lm_head_is_tied_to_token_embedding(tiny: TransformerConfig) -> None:
    model = MaskedLanguageModel(tiny)
    assert model.lm_head.vocab_proj.weight is model.transformer.embeddings.token_embedding.weight
    out = model(_batch())
    assert out.logits is not None and out.logits.shape == (3, 6, 50) and out.loss is None


def test_causal_lm_loss_is_next_token_cross_entropy() -> None:
    model = CausalLanguageModel(tiny_config(architecture="decoder")).eval()
    batch = _batch()
    batch.padding_mask = None
    batch.labels = batch.input_ids
    out = model(batch)
    assert out.logits is not None and out.loss is not None
    expected = torch.nn.functional.cross_entropy(
        out.logits[:, :-1].reshape(-1, 50), batch.input_ids[:, 1:].reshape(-1)
    )
    torch.testing.assert_close(out.loss, expected)


def test_seq2seq_model_predicts_decoder_positions() -> None:
    model = Seq2SeqLanguageModel(tiny_config(architecture="encoder-decoder", n_decoder_layers=1))
    batch = _batch()
    batch.decoder_input_ids = torch.randint(1, 50, (3, 4))
    batch.labels = torch.randint(1, 50, (3, 4))
    out = model(batch)
    assert out.logits is not None and out.logits.shape == (3, 4, 50) and out.loss is not None


def test_classifier_from_encoder_starts_from_its_weights(tiny: TransformerConfig) -> None:
    encoder = LanguageModel(tiny)
    classifier = SequenceClassifier.from_encoder(encoder, num_labels=2)
    for name, tensor in encoder.transformer.state_dict().items():
        assert torch.equal(tensor, classifier.transformer.state_dict()[name])
