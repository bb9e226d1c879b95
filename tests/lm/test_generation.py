"""Generation: cached and uncached decoding agree; greedy, beam search and sampling behave."""

from __future__ import annotations

import pytest
import torch
from lm_helpers import tiny_config
from pydantic import ValidationError

from medlm.errors import InputError
from medlm.lm.generation import GenerationConfig, generate
from medlm.lm.models import Batch, CausalLanguageModel, Seq2SeqLanguageModel

PROMPT = [3, 17, 9, 25, 4]
ARCHITECTURES = ["decoder", "encoder-decoder"]


def _model(architecture: str, seed: int = 0, **overrides: object) -> CausalLanguageModel:
    torch.manual_seed(seed)
    if architecture == "decoder":
        return CausalLanguageModel(tiny_config(architecture="decoder", **overrides)).eval()
    config = tiny_config(architecture="encoder-decoder", n_decoder_layers=2, **overrides)
    return Seq2SeqLanguageModel(config).eval()


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("norm_position", ["pre", "post"])
def test_cached_decode_matches_full_forward_logits(architecture: str, norm_position: str) -> None:
    model = _model(architecture, norm_position=norm_position)
    tokens = torch.tensor([[1, 5, 7, 9, 11, 13]])  # (1, T)
    source = torch.tensor([PROMPT])
    transformer = model.transformer
    cache = transformer.new_cache()
    memory = transformer.encode_source(source) if architecture != "decoder" else None
    # Prefill two tokens, then a chunk of three (causal mask with an offset), then one by one.
    steps = [transformer.decode(tokens[:, :2], cache, memory)]
    steps.append(transformer.decode(tokens[:, 2:5], cache))
    steps += [transformer.decode(tokens[:, t : t + 1], cache) for t in range(5, tokens.shape[1])]
    cached = model.lm_head(torch.cat(steps, dim=1))
    if architecture == "decoder":
        full = model(Batch(tokens)).logits
    else:
        full = model(Batch(source, decoder_input_ids=tokens)).logits
    assert cache.length == tokens.shape[1]
    torch.testing.assert_close(cached, full, atol=1e-5, rtol=1e-5)


def test_cached_decode_hides_source_padding_like_the_full_forward() -> None:
    model = _model("encoder-decoder")
    source = torch.tensor([PROMPT, [6, 8, 0, 0, 0]])  # second row padded
    padding = source != 0
    tokens = torch.tensor([[0, 5, 7, 9], [0, 11, 13, 2]])
    transformer = model.transformer
    cache = transformer.new_cache()
    memory = transformer.encode_source(source, padding)
    steps = [transformer.decode(tokens[:, :1], cache, memory, padding)]
    steps += [transformer.decode(tokens[:, t : t + 1], cache) for t in range(1, tokens.shape[1])]
    cached = model.lm_head(torch.cat(steps, dim=1))
    full = model(Batch(source, padding, decoder_input_ids=tokens)).logits
    torch.testing.assert_close(cached, full, atol=1e-5, rtol=1e-5)
    unmasked = model.lm_head(
        transformer.decode(tokens, transformer.new_cache(), transformer.encode_source(source))
    )
    assert not torch.allclose(unmasked[1], full[1], atol=1e-3)  # padding does matter here


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize(
    "settings",
    [{"strategy": "greedy"}, {"strategy": "beam", "num_beams": 3}],
    ids=["greedy", "beam"],
)
def test_cached_and_uncached_generation_give_identical_tokens(
    architecture: str, settings: dict[str, object]
) -> None:
    model = _model(architecture)
    cached = generate(model, PROMPT, GenerationConfig(max_new_tokens=12, **settings))
    uncached = generate(
        model, PROMPT, GenerationConfig(max_new_tokens=12, use_cache=False, **settings)
    )
    assert len(cached.token_ids) == 12
    assert cached.token_ids == uncached.token_ids


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_beam_width_one_equals_greedy(architecture: str) -> None:
    model = _model(architecture, seed=1)
    greedy = generate(model, PROMPT, GenerationConfig(max_new_tokens=10))
    beam = generate(
        model, PROMPT, GenerationConfig(strategy="beam", num_beams=1, max_new_tokens=10)
    )
    assert beam.token_ids == greedy.token_ids


def test_beam_search_finds_a_sequence_at_least_as_likely_as_greedy() -> None:
    model = _model("decoder", seed=2)

    def log_prob(generated: list[int]) -> float:
        ids = torch.tensor([PROMPT + generated])
        logits = model(Batch(ids)).logits
        assert logits is not None
        log_probs = logits[0, len(PROMPT) - 1 : -1].log_softmax(dim=-1)
        return float(log_probs.gather(1, torch.tensor(generated)[:, None]).sum())

    greedy = generate(model, PROMPT, GenerationConfig(max_new_tokens=6))
    beam = generate(
        model,
        PROMPT,
        GenerationConfig(strategy="beam", num_beams=5, max_new_tokens=6, length_penalty=0.0),
    )
    with torch.no_grad():
        assert log_prob(beam.token_ids) >= log_prob(greedy.token_ids) - 1e-5


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_seeded_sampling_is_deterministic_and_seed_dependent(architecture: str) -> None:
    model = _model(architecture)

    def sample(seed: int) -> list[int]:
        config = GenerationConfig(
            strategy="sample", temperature=2.0, top_k=40, seed=seed, max_new_tokens=15
        )
        return generate(model, PROMPT, config).token_ids

    assert sample(7) == sample(7)
    assert sample(7) != sample(8)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_tiny_top_p_sampling_behaves_like_greedy(architecture: str) -> None:
    model = _model(architecture)
    greedy = generate(model, PROMPT, GenerationConfig(max_new_tokens=10))
    for seed in range(3):
        config = GenerationConfig(strategy="sample", top_p=1e-6, seed=seed, max_new_tokens=10)
        assert generate(model, PROMPT, config).token_ids == greedy.token_ids


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize(
    "settings", [{}, {"strategy": "beam", "num_beams": 1}], ids=["greedy", "beam"]
)
def test_generation_stops_at_eos(architecture: str, settings: dict[str, object]) -> None:
    model = _model(architecture)
    free = generate(model, PROMPT, GenerationConfig(max_new_tokens=8, **settings))
    eos = free.token_ids[2]  # a token the model emits at step three
    stopped = generate(
        model, PROMPT, GenerationConfig(max_new_tokens=8, eos_token_id=eos, **settings)
    )
    assert stopped.finish_reason == "eos"
    assert stopped.token_ids[-1] == eos
    assert len(stopped.token_ids) <= 3
    assert free.finish_reason == "length"


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_wide_beam_search_never_continues_past_eos(architecture: str) -> None:
    model = _model(architecture)
    for eos in range(0, 50, 7):
        config = GenerationConfig(strategy="beam", num_beams=4, max_new_tokens=8, eos_token_id=eos)
        result = generate(model, PROMPT, config)
        assert eos not in result.token_ids[:-1]
        assert (result.finish_reason == "eos") == (result.token_ids[-1] == eos)


@pytest.mark.parametrize("strategy", ["greedy", "sample", "beam"])
def test_generation_stops_at_max_new_tokens(strategy: str) -> None:
    model = _model("decoder")
    result = generate(model, PROMPT, GenerationConfig(strategy=strategy, max_new_tokens=4))
    assert len(result.token_ids) == 4
    assert result.finish_reason == "length"
    assert result.text is None


def test_prompt_longer_than_the_position_table_is_refused() -> None:
    model = _model("decoder")  # max_length 24
    with pytest.raises(InputError, match="max_length=24"):
        generate(model, PROMPT, GenerationConfig(max_new_tokens=20))


def test_an_encoder_cannot_generate() -> None:
    from medlm.lm.models import MaskedLanguageModel

    with pytest.raises(InputError, match="MaskedLanguageModel"):
        generate(MaskedLanguageModel(tiny_config()), PROMPT, GenerationConfig())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_new_tokens", 0), ("temperature", 0.0), ("top_p", 1.5), ("num_beams", 0)],
)
def test_generation_config_rejects_bad_values(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        GenerationConfig(**{field: value})


def test_top_p_outside_sampling_is_rejected() -> None:
    with pytest.raises(ValidationError, match="top_k / top_p"):
        GenerationConfig(strategy="greedy", top_p=0.5)
