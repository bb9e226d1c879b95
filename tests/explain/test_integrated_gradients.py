"""Integrated gradients over token embeddings: completeness, null tokens, signs, spans."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, normalizers, pre_tokenizers
from torch import Tensor

from medlm.errors import InputError
from medlm.explain import (
    TokenAttributions,
    attribute_tokens,
    pooled_linear_head,
    quadrature,
    sum_over_ranges,
)
from medlm.lm import LanguageModel, TextEncoder, Tokenizer, TransformerConfig
from medlm.lm.tokenizer import BERT_SPECIALS, _add_template
from medlm.records import Span

CORPUS = [
    "glucose: 148 mg/dL. bmi: 33.6 kg/m2. age: 50 years.",
    "blood pressure: 72 mmHg. insulin: 94 uU/mL.",
    "up down flat up down flat",
] * 10
TEXTS = ["glucose: 148 mg/dL. bmi: 33.6 kg/m2.", "age: 50 years. blood pressure: 72 mmHg."]


def _config(tokenizer: Tokenizer, **overrides: object) -> TransformerConfig:
    values: dict[str, object] = {
        "vocab_size": tokenizer.vocab_size,
        "d_model": 32,
        "n_heads": 4,
        "n_layers": 2,
        "d_ff": 64,
        "max_length": 64,
        "dropout": 0.0,
        "attention_dropout": 0.0,
        "layer_norm_eps": 1e-5,
    }
    values.update(overrides)
    return TransformerConfig(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    """A WordPiece tokenizer with a fixed vocabulary: every word of the corpus, then its
    characters. Trained WordPiece numbers its pieces differently from run to run (see
    `train_wordpiece`), which would change this seeded model's outputs between runs."""
    words = sorted({w for text in CORPUS for w in re.findall(r"\w+|[^\w\s]", text.lower())})
    chars = sorted({c for w in words for c in w})
    pieces = [*BERT_SPECIALS.all(), *words, *chars, *(f"##{c}" for c in chars)]
    vocab = {piece: i for i, piece in enumerate(dict.fromkeys(pieces))}
    backend = HFTokenizer(models.WordPiece(vocab, unk_token=BERT_SPECIALS.unk))
    backend.normalizer = normalizers.BertNormalizer(lowercase=True)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.decoder = decoders.WordPiece()
    _add_template(backend, BERT_SPECIALS)
    return Tokenizer(backend, BERT_SPECIALS)


@pytest.fixture(scope="module")
def model(tokenizer: Tokenizer) -> LanguageModel:
    torch.manual_seed(0)
    return LanguageModel(_config(tokenizer)).eval()


def _random_head(seed: int = 0, d: int = 32) -> tuple[np.ndarray, float]:
    return np.random.default_rng(seed).normal(size=d), 0.3


@pytest.mark.parametrize("baseline", ["pad", "zeros"])
@pytest.mark.parametrize(
    ("rule", "steps", "tolerance"), [("gauss-legendre", 32, 1e-4), ("riemann", 64, 1e-3)]
)
def test_attributions_sum_to_the_output_change_within_tolerance(
    model: LanguageModel,
    tokenizer: Tokenizer,
    baseline: str,
    rule: str,
    steps: int,
    tolerance: float,
) -> None:
    weight, bias = _random_head()
    results = attribute_tokens(
        model,
        tokenizer,
        TEXTS,
        pooled_linear_head(weight, bias),
        steps=steps,
        rule=rule,
        baseline=baseline,
        batch_size=64,
    )
    for result in results:
        change = result.output - result.baseline_output
        assert abs(change) > 0.01  # a real change to attribute
        assert sum(result.attributions) == pytest.approx(change, abs=tolerance)
        assert abs(result.completeness_gap) < tolerance


def test_the_gap_shrinks_as_the_number_of_steps_grows(
    model: LanguageModel, tokenizer: Tokenizer
) -> None:
    head = pooled_linear_head(*_random_head(1))
    gaps = [
        abs(
            attribute_tokens(model, tokenizer, TEXTS[:1], head, steps=n, rule="riemann")[
                0
            ].completeness_gap
        )
        for n in (2, 8, 32)
    ]
    assert gaps[0] > gaps[1] > gaps[2]


def test_output_is_the_linear_model_on_the_encoders_sentence_embedding(
    model: LanguageModel, tokenizer: Tokenizer
) -> None:
    weight, bias = _random_head(2)
    mean, scale = np.full(32, 0.01), np.full(32, 0.5)
    head = pooled_linear_head(weight, bias, mean=mean, scale=scale)
    results = attribute_tokens(model, tokenizer, TEXTS, head, steps=2)
    embedded = TextEncoder(model, tokenizer).embed(TEXTS)  # (N, D), L2-normalised
    expected = ((embedded - mean) / scale) @ weight + bias
    assert [r.output for r in results] == pytest.approx(expected.tolist(), abs=1e-4)


def test_tokens_after_the_one_a_causal_head_reads_get_exactly_zero(
    tokenizer: Tokenizer,
) -> None:
    torch.manual_seed(1)
    causal = LanguageModel(_config(tokenizer, architecture="decoder", norm_position="pre"))
    weight = torch.as_tensor(np.random.default_rng(3).normal(size=32), dtype=torch.float32)

    def first_word(hidden: Tensor, padding_mask: Tensor) -> Tensor:
        return hidden[:, 1] @ weight  # position 1: the first token after [CLS]; causal model

    (result,) = attribute_tokens(causal, tokenizer, TEXTS[:1], first_word, steps=16)
    assert abs(result.attributions[0]) > 1e-3
    assert result.attributions[1:] == [0.0] * (len(result.attributions) - 1)


def _hand_built(tokenizer: Tokenizer) -> tuple[LanguageModel, Tensor]:
    """Each token's hidden state is LayerNorm(c + e_token): every sub-layer outputs zero and
    every position embedding is c. "up" = +v, "down" = -v, "flat" = f, everything else 0,
    with c, v and f orthogonal and of zero mean. Returns the model and v / |v|."""
    model = LanguageModel(_config(tokenizer, d_model=8, n_heads=2, n_layers=1, d_ff=8)).eval()
    c = torch.tensor([1.0, 1, 1, 1, -1, -1, -1, -1]) * 3
    v = torch.tensor([1.0, -1, 1, -1, 1, -1, 1, -1])
    f = torch.tensor([1.0, 1, -1, -1, 1, 1, -1, -1])
    embeddings = model.transformer.embeddings
    with torch.no_grad():
        for name, parameter in model.transformer.encoder.named_parameters():
            if "out_proj" in name:  # attention and feed-forward outputs: zero
                parameter.zero_()
        embeddings.position_embedding.weight.copy_(
            c.expand_as(embeddings.position_embedding.weight)
        )
        assert embeddings.segment_embedding is not None
        embeddings.segment_embedding.weight.zero_()
        embeddings.token_embedding.weight.zero_()
        for word, vector in (("up", v), ("down", -v), ("flat", f)):
            embeddings.token_embedding.weight[tokenizer.token_id(word)] = vector
    return model, v / v.norm()


def test_signs_and_values_agree_with_a_hand_built_model(tokenizer: Tokenizer) -> None:
    model, direction = _hand_built(tokenizer)
    head = pooled_linear_head(direction.numpy(), 0.0, normalize=False)
    (result,) = attribute_tokens(model, tokenizer, ["up down flat up"], head, steps=64)
    assert result.tokens == ["up", "down", "flat", "up"]
    up, down, flat, up_again = result.attributions
    # by hand: the pooled mean over 6 tokens ([CLS] 4 words [SEP]) and w . LN(c) = 0
    c_plus_v = model.transformer.embeddings.position_embedding.weight[0] + direction * 8**0.5
    expected = float(F.layer_norm(c_plus_v, (8,), eps=1e-5) @ direction) / 6
    assert up == pytest.approx(expected, rel=1e-3) and up_again == pytest.approx(expected, rel=1e-3)
    assert down == pytest.approx(-expected, rel=1e-3)
    assert up > 0 > down
    assert abs(flat) < 1e-6  # f is orthogonal to the head's weight: no effect on the output
    assert [s.label for s in result.spans] == ["raises", "lowers", "raises", "raises"]


def test_spans_carry_character_offsets_and_relative_scores(
    model: LanguageModel, tokenizer: Tokenizer
) -> None:
    (result,) = attribute_tokens(model, tokenizer, TEXTS[:1], pooled_linear_head(*_random_head()))
    assert all(isinstance(s, Span) for s in result.spans)
    assert [s.text_in(result.text).lower() for s in result.spans][:3] == ["glucose", ":", "148"]
    assert max(s.score for s in result.spans) == pytest.approx(1.0)
    for span, value in zip(result.spans, result.attributions, strict=True):
        assert span.label == ("raises" if value >= 0 else "lowers")


def test_truncated_texts_are_attributed_up_to_the_limit(
    model: LanguageModel, tokenizer: Tokenizer
) -> None:
    head = pooled_linear_head(*_random_head())
    (result,) = attribute_tokens(model, tokenizer, TEXTS[:1], head, steps=4, max_length=6)
    assert len(result.spans) == 4  # [CLS] + 4 tokens + [SEP]
    assert result.spans[-1].end <= len(TEXTS[0])


def test_the_model_is_left_as_it_was(tokenizer: Tokenizer) -> None:
    model = LanguageModel(_config(tokenizer)).train()
    attribute_tokens(model, tokenizer, TEXTS[:1], pooled_linear_head(*_random_head()), steps=2)
    assert model.training
    assert all(p.requires_grad and p.grad is None for p in model.parameters())


def test_quadrature_weights_sum_to_one_and_integrate_polynomials() -> None:
    alphas, weights = quadrature(3, "gauss-legendre")
    assert weights.sum() == pytest.approx(1.0)
    assert float(weights @ alphas**5) == pytest.approx(1 / 6)  # exact up to degree 5
    alphas, weights = quadrature(4, "riemann")
    assert alphas.tolist() == [0.125, 0.375, 0.625, 0.875]
    assert weights.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(("steps", "rule"), [(0, "riemann"), (8, "simpson")])
def test_bad_settings_raise_input_errors(steps: int, rule: str) -> None:
    with pytest.raises(InputError, match=r"steps|rule"):
        quadrature(steps, rule)


def test_token_attributions_are_summed_over_named_ranges() -> None:
    text = "Glucose: 148. Age: 50."
    result = TokenAttributions(
        text=text,
        spans=[
            Span(start=0, end=7, label="raises"),
            Span(start=9, end=12, label="raises"),
            Span(start=14, end=17, label="lowers"),
        ],
        tokens=["glucose", "148", "age"],
        attributions=[0.1, 0.2, -0.5],
        output=0.0,
        baseline_output=0.2,
        completeness_gap=0.0,
        steps=1,
        rule="riemann",
        baseline="pad",
    )
    totals = sum_over_ranges(result, {"Glucose": (0, 13), "Age": (14, 22), "BMI": (22, 22)})
    assert totals == pytest.approx({"Glucose": 0.3, "Age": -0.5, "BMI": 0.0})
