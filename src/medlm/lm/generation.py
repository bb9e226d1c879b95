"""Text generation with medlm's causal and encoder-decoder models: greedy, beam search, sampling.

Decoding is incremental by default: each step feeds only the newest token and reuses the
keys and values of earlier tokens (`Transformer.decode` with a `DecodingCache`). With
`use_cache=False` every step runs the whole model over the whole sequence again; both give
the same tokens (the tests check it) and the second exists as a reference and a baseline.

Shape legend: B rows (beams), T tokens, V vocabulary.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import torch
from pydantic import BaseModel, ConfigDict, Field, model_validator
from torch import Tensor

from medlm.errors import InputError
from medlm.lm.models import Batch, CausalLanguageModel
from medlm.lm.precision import PrecisionPath, path_context
from medlm.lm.tokenizer import Tokenizer
from medlm.lm.transformer import DecodingCache

logger = logging.getLogger(__name__)

Strategy = Literal["greedy", "beam", "sample"]
FinishReason = Literal["eos", "length", "other"]


class GenerationConfig(BaseModel):
    """How to generate: strategy, length, sampling filters and stop token.

    `temperature`, `top_k` and `top_p` apply to "sample" only; `num_beams` and
    `length_penalty` (scores divided by length ** penalty) to "beam" only. `seed` makes
    sampling reproducible. `eos_token_id` None means: stop only at `max_new_tokens`.
    `decoder_start_token_id` (encoder-decoder models) defaults to the padding id, as in T5.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    strategy: Strategy = "greedy"
    max_new_tokens: int = Field(default=32, ge=1)
    num_beams: int = Field(default=4, ge=1)
    length_penalty: float = 1.0
    temperature: float = Field(default=1.0, gt=0.0)
    top_k: int | None = Field(default=None, ge=1)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    seed: int | None = None
    eos_token_id: int | None = Field(default=None, ge=0)
    decoder_start_token_id: int | None = Field(default=None, ge=0)
    use_cache: bool = True

    @model_validator(mode="after")
    def _strategy_settings_fit(self) -> GenerationConfig:
        if self.strategy != "sample" and (self.top_k is not None or self.top_p < 1.0):
            raise ValueError(f"top_k / top_p apply to strategy='sample', not {self.strategy!r}")
        return self


class GenerationResult(BaseModel):
    """Generated token ids (the prompt excluded; empty from a remote backend, which returns
    text only), their text when a tokenizer was given, and why generation stopped: "eos" (end
    token or the server's "stop"), "length" (max_new_tokens) or "other"."""

    model_config = ConfigDict(frozen=True)

    token_ids: list[int]
    text: str | None = None
    finish_reason: FinishReason


class _NextTokenLogits:
    """Next-token logits for B rows that share one prompt, with or without the cache.

    Decoder-only: each row is prompt + generated tokens. Encoder-decoder: the prompt is the
    source, encoded once (cached) or at every step (uncached); each row is start token +
    generated tokens.
    """

    def __init__(
        self, model: CausalLanguageModel, prompt: Tensor, rows: int, config: GenerationConfig
    ) -> None:
        self.model = model
        self.seq2seq = model.config.architecture == "encoder-decoder"
        self.cache: DecodingCache | None = None
        self.memory: Tensor | None = None
        self.source = prompt[None, :].expand(rows, -1)  # (B, S)
        if self.seq2seq:
            start = config.decoder_start_token_id
            start = model.config.pad_token_id if start is None else start
            self.tokens = torch.full((rows, 1), start, dtype=torch.long)  # (B, 1)
        else:
            self.tokens = self.source.clone()  # (B, T)
        if config.use_cache:
            self.cache = model.transformer.new_cache()
            if self.seq2seq:
                self.memory = model.transformer.encode_source(self.source)  # (B, S, D)
        self.pending = self.tokens  # tokens not yet seen by the cache

    def logits(self) -> Tensor:
        """(B, V) logits of the token after each row."""
        if self.cache is None:
            if self.seq2seq:
                batch = Batch(self.source, decoder_input_ids=self.tokens)
            else:
                batch = Batch(self.tokens)
            logits = self.model(batch).logits  # (B, T, V)
            if logits is None:
                raise InputError(f"{type(self.model).__name__} returned no logits")
            return logits[:, -1]  # (B, V)
        hidden = self.model.transformer.decode(self.pending, self.cache, self.memory)
        self.memory = None  # cross-attention keys and values are cached from now on
        return self.model.lm_head(hidden[:, -1])  # (B, V)

    def append(self, next_tokens: Tensor, rows: Tensor | None = None) -> None:
        """Append next_tokens (B,) after reordering rows (beam search) when `rows` is given."""
        if rows is not None:
            self.tokens = self.tokens.index_select(0, rows)
            if self.cache is not None:
                self.cache.reorder(rows)
        self.pending = next_tokens[:, None]  # (B, 1)
        self.tokens = torch.cat([self.tokens, self.pending], dim=1)


def _filter_logits(logits: Tensor, config: GenerationConfig) -> Tensor:
    """(V,) logits -> (V,) with temperature applied and tokens outside top-k / top-p at -inf."""
    logits = logits / config.temperature
    if config.top_k is not None and config.top_k < logits.shape[-1]:
        kth = torch.topk(logits, config.top_k).values[-1]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if config.top_p < 1.0:
        sorted_logits, order = torch.sort(logits, descending=True)
        probs = sorted_logits.softmax(dim=-1)
        # Drop a token when the tokens ranked above it already reach top_p (the top one stays).
        drop = probs.cumsum(dim=-1) - probs >= config.top_p
        logits = logits.masked_fill(drop.scatter(0, order, drop), float("-inf"))
    return logits


def _greedy_or_sample(
    steps: _NextTokenLogits, config: GenerationConfig
) -> tuple[list[int], FinishReason]:
    generator = None
    if config.strategy == "sample":
        generator = torch.Generator().manual_seed(config.seed if config.seed is not None else 0)
    generated: list[int] = []
    for _ in range(config.max_new_tokens):
        logits = steps.logits()[0].float()  # (V,)
        if generator is None:
            token = int(logits.argmax())
        else:
            probs = _filter_logits(logits, config).softmax(dim=-1)
            token = int(torch.multinomial(probs, 1, generator=generator))
        generated.append(token)
        if token == config.eos_token_id:
            return generated, "eos"
        steps.append(torch.tensor([token]))
    return generated, "length"


def _beam_search(
    steps: _NextTokenLogits, config: GenerationConfig
) -> tuple[list[int], FinishReason]:
    """Keep the `num_beams` best partial sequences by summed log-probability; a sequence that
    emits EOS is finished. Stops when `num_beams` sequences are finished or at the length
    limit; the best by score / length ** length_penalty wins."""
    width = config.num_beams
    scores = torch.full((width,), float("-inf"))
    scores[0] = 0.0  # all beams start identical: expand only the first at step one
    beams: list[list[int]] = [[] for _ in range(width)]
    finished: list[tuple[float, list[int], FinishReason]] = []

    def normalised(score: float, length: int) -> float:
        return score / (length**config.length_penalty)

    for _ in range(config.max_new_tokens):
        log_probs = steps.logits().float().log_softmax(dim=-1)  # (B, V)
        candidates = (scores[:, None] + log_probs).flatten()  # (B * V,)
        top_scores, top_index = torch.topk(candidates, 2 * width)
        vocab = log_probs.shape[-1]
        rows, tokens, new_scores = [], [], []
        for score, index in zip(top_scores.tolist(), top_index.tolist(), strict=True):
            row, token = divmod(index, vocab)
            sequence = [*beams[row], token]
            if token == config.eos_token_id:
                finished.append((normalised(score, len(sequence)), sequence, "eos"))
            else:
                rows.append(row)
                tokens.append(token)
                new_scores.append(score)
            if len(rows) == width or len(finished) >= width:
                break
        if len(finished) >= width:
            break
        beams = [[*beams[r], t] for r, t in zip(rows, tokens, strict=True)]
        scores = torch.tensor(new_scores)
        steps.append(torch.tensor(tokens), torch.tensor(rows))
    else:
        for score, sequence in zip(scores.tolist(), beams, strict=True):
            finished.append((normalised(score, len(sequence)), sequence, "length"))
    _, best, reason = max(finished, key=lambda item: item[0])
    return best, reason


def generate(
    model: CausalLanguageModel,
    prompt_ids: Sequence[int],
    config: GenerationConfig,
    tokenizer: Tokenizer | None = None,
    path: PrecisionPath = "fp32",
) -> GenerationResult:
    """Generate up to `config.max_new_tokens` tokens after `prompt_ids` (one prompt).

    `model` is a `CausalLanguageModel` (decoder-only: the prompt is the start of the text) or a
    `Seq2SeqLanguageModel` (the prompt is the source). The model is put in eval mode. `path`
    "bf16-autocast" runs the forward passes under bf16 autocast (`medlm.lm.precision`); a
    model already cast or quantized for a path is passed as `model`.
    """
    if not isinstance(model, CausalLanguageModel) or not model.config.has_decoder:
        raise InputError(
            f"generate needs a CausalLanguageModel or Seq2SeqLanguageModel, got "
            f"{type(model).__name__} ({model.config.architecture})"
        )
    if len(prompt_ids) == 0:
        raise InputError("generate: prompt_ids is empty")
    vocab = model.config.vocab_size
    if min(prompt_ids) < 0 or max(prompt_ids) >= vocab:
        raise InputError(f"generate: prompt_ids fall outside the vocabulary of {vocab}")
    longest = model.config.max_length
    needed = config.max_new_tokens + (1 if model.config.has_encoder else len(prompt_ids))
    if needed > longest or len(prompt_ids) > longest:
        raise InputError(
            f"generate: prompt of {len(prompt_ids)} tokens plus max_new_tokens="
            f"{config.max_new_tokens} exceeds the model's max_length={longest}"
        )
    model.eval()
    prompt = torch.tensor(list(prompt_ids), dtype=torch.long)
    rows = config.num_beams if config.strategy == "beam" else 1
    with torch.inference_mode(), path_context(path):
        steps = _NextTokenLogits(model, prompt, rows, config)
        if config.strategy == "beam":
            token_ids, reason = _beam_search(steps, config)
        else:
            token_ids, reason = _greedy_or_sample(steps, config)
    logger.debug("generated %d tokens (%s, %s)", len(token_ids), config.strategy, reason)
    text = tokenizer.decode(token_ids) if tokenizer is not None else None
    return GenerationResult(token_ids=token_ids, text=text, finish_reason=reason)
