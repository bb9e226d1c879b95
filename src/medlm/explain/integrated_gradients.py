"""Integrated gradients over the token embeddings of medlm's encoder, as signed token spans.

Integrated gradients (Sundararajan, Taly & Yan, ICML 2017) attribute a scalar output `f` of a
text to each of its tokens:

    a_i = (x_i - x'_i) . integral over alpha in [0, 1] of df/dx_i (x' + alpha (x - x'))

where `x_i` is token i's row of the encoder's token-embedding table (before the position and
segment embeddings are added and before the embedding layer norm) and `x'` a baseline. The
attributions are complete: they sum to `f(x) - f(x')`. The integral is approximated by a
quadrature rule, so the sum misses by a `completeness_gap` that callers can check (and that
shrinks as `steps` grows).

Baselines (both keep the start and end tokens, [CLS] and [SEP] in BERT, so the baseline is a
text of the same length with its content removed, and those tokens get no attribution):
- "pad": every other token replaced by the [PAD] token's embedding (the default);
- "zeros": every other token replaced by a zero vector.
Quadrature rules on [0, 1]: "gauss-legendre" (n nodes, exact for polynomials of degree 2n-1;
the default) or "riemann" (midpoint rule with n equal steps, error O(1/n^2)).

The model code is used unchanged: a forward hook on the token-embedding module replaces its
output with the interpolated embeddings, one row per (text, step), in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import BaseModel, Field, model_validator
from torch import Tensor, nn

from medlm.errors import InputError
from medlm.lm.heads import mean_pool
from medlm.lm.models import Batch, LanguageModel
from medlm.lm.tokenizer import Tokenizer
from medlm.records import Span

Rule = Literal["gauss-legendre", "riemann"]
Baseline = Literal["pad", "zeros"]
# head(hidden (B, T, D), padding_mask (B, T) True at real tokens) -> (B,) the explained output
Head = Callable[[Tensor, Tensor], Tensor]


class TokenAttributions(BaseModel):
    """One text's integrated-gradients attributions to a scalar output, token by token.

    `spans` holds one span per content token (start and end tokens left out) with character
    offsets into `text`, label "raises" or "lowers" (the sign) and score |a| / max |a|, so a
    highlighter can render it; `attributions` holds the signed values in the same order.
    """

    text: str
    spans: list[Span]
    tokens: list[str]
    attributions: list[float] = Field(description="Signed attribution of each span's token.")
    output: float = Field(description="f(x): the explained output for the text.")
    baseline_output: float = Field(description="f(x'): the output for the baseline.")
    completeness_gap: float = Field(
        description="sum(attributions) - (output - baseline_output); 0 for the exact integral."
    )
    steps: int
    rule: Rule
    baseline: Baseline

    @model_validator(mode="after")
    def _aligned(self) -> TokenAttributions:
        if not len(self.spans) == len(self.tokens) == len(self.attributions):
            raise ValueError(
                f"TokenAttributions: {len(self.spans)} spans, {len(self.tokens)} tokens and "
                f"{len(self.attributions)} attributions must be aligned"
            )
        return self


def quadrature(steps: int, rule: Rule = "gauss-legendre") -> tuple[np.ndarray, np.ndarray]:
    """(alphas, weights) of `steps` nodes on [0, 1]; the weights sum to 1."""
    if not isinstance(steps, int) or steps < 1:
        raise InputError(f"integrated gradients: steps={steps!r} must be a positive integer")
    if rule == "gauss-legendre":
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        return (nodes + 1.0) / 2.0, weights / 2.0
    if rule == "riemann":
        return (np.arange(steps) + 0.5) / steps, np.full(steps, 1.0 / steps)
    raise InputError(f"integrated gradients: rule={rule!r} is unknown; use gauss-legendre, riemann")


def pooled_linear_head(
    weight: np.ndarray,
    bias: float,
    *,
    mean: np.ndarray | None = None,
    scale: np.ndarray | None = None,
    normalize: bool = True,
) -> Head:
    """Mean pooling -> (L2 normalisation) -> ((z - mean) / scale) -> weight . z + bias.

    This is the log-odds of a linear model fitted on `TextEncoder.embed` outputs (optionally
    standardised), written in torch so that it can be differentiated.
    """
    w = torch.as_tensor(np.asarray(weight, dtype=np.float32).ravel())  # (D,)
    mu = torch.as_tensor(np.asarray(mean if mean is not None else 0.0, dtype=np.float32))
    sd = torch.as_tensor(np.asarray(scale if scale is not None else 1.0, dtype=np.float32))

    def head(hidden: Tensor, padding_mask: Tensor) -> Tensor:
        pooled = mean_pool(hidden, padding_mask)  # (B, D)
        if normalize:
            pooled = F.normalize(pooled, dim=-1)
        return ((pooled - mu) / sd) @ w + float(bias)  # (B,)

    return head


def _token_layout(
    tokenizer: Tokenizer, texts: Sequence[str], ids: list[list[int]]
) -> list[tuple[list[tuple[int, int]], list[bool]]]:
    """Per text: character offsets and added-token ([CLS]/[SEP]) flags aligned with `ids`."""
    layout = []
    encodings = tokenizer.backend.encode_batch(list(texts))
    for text, row, kept in zip(texts, encodings, ids, strict=True):
        offsets = [(int(s), int(e)) for s, e in row.offsets]
        added = [bool(m) for m in row.special_tokens_mask]
        if len(kept) < len(offsets):  # truncated: the first tokens, then the end token
            offsets = [*offsets[: len(kept) - 1], (len(text), len(text))]
            added = [*added[: len(kept) - 1], True]
        layout.append((offsets, added))
    return layout


def attribute_tokens(
    model: LanguageModel,
    tokenizer: Tokenizer,
    texts: Sequence[str],
    head: Head,
    *,
    steps: int = 32,
    rule: Rule = "gauss-legendre",
    baseline: Baseline = "pad",
    batch_size: int = 64,
    max_length: int | None = None,
) -> list[TokenAttributions]:
    """Integrated gradients of `head(model(text))` for each text, in the order of `texts`."""
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(f"integrated gradients: text {i} is a {type(text).__name__}")
    if baseline not in ("pad", "zeros"):
        raise InputError(f"integrated gradients: baseline={baseline!r} is unknown; use pad, zeros")
    if batch_size < 1:
        raise InputError(f"integrated gradients: batch_size={batch_size} must be >= 1")
    alphas, weights = quadrature(steps, rule)
    ids = tokenizer.encode(texts, max_length)
    layout = _token_layout(tokenizer, texts, ids)
    was_training = model.training
    needs_grad = [p.requires_grad for p in model.parameters()]
    model.eval().requires_grad_(False)  # gradients w.r.t. the embeddings only: faster
    try:
        with torch.enable_grad():
            sums, ends = _integrate(
                model, tokenizer, ids, layout, head, (alphas, weights), baseline, batch_size
            )
    finally:
        model.train(was_training)
        for parameter, flag in zip(model.parameters(), needs_grad, strict=True):
            parameter.requires_grad_(flag)
    return [
        _result(texts[i], tokenizer, ids[i], layout[i], sums[i], ends[i], steps, rule, baseline)
        for i in range(len(texts))
    ]


def _endpoints(
    tokenizer: Tokenizer,
    table: nn.Embedding,
    ids: list[list[int]],
    layout: list[tuple[list[tuple[int, int]], list[bool]]],
    baseline: Baseline,
) -> tuple[list[Tensor], list[Tensor]]:
    """Per text: the baseline embeddings x' (T, D) and the differences x - x' (T, D)."""
    bases, deltas = [], []
    with torch.no_grad():
        pad_row = table.weight[tokenizer.pad_id]  # (D,)
        for row, (_, special) in zip(ids, layout, strict=True):
            x = table.weight[torch.tensor(row)]  # (T, D)
            content = ~torch.tensor(special, dtype=torch.bool)  # (T,)
            base = x.clone()
            base[content] = pad_row if baseline == "pad" else 0.0
            bases.append(base)
            deltas.append(x - base)
    return bases, deltas


def _hidden_from_embeddings(
    model: LanguageModel, table: nn.Embedding, batch: Batch, embeddings: Tensor
) -> Tensor:
    """The model's hidden states (B, T, D) with `embeddings` in place of the token lookup."""

    def replace(module: nn.Module, inputs: object, output: Tensor) -> Tensor:
        return embeddings

    handle = table.register_forward_hook(replace)
    try:
        return model(batch).hidden
    finally:
        handle.remove()


def _integrate(
    model: LanguageModel,
    tokenizer: Tokenizer,
    ids: list[list[int]],
    layout: list[tuple[list[tuple[int, int]], list[bool]]],
    head: Head,
    quad: tuple[np.ndarray, np.ndarray],
    baseline: Baseline,
    batch_size: int,
) -> tuple[list[np.ndarray], list[tuple[float, float]]]:
    """Per text: (T,) quadrature sums of gradient . (x - x'), and (f(x'), f(x))."""
    table: nn.Embedding = model.transformer.embeddings.token_embedding
    bases, deltas = _endpoints(tokenizer, table, ids, layout, baseline)
    # jobs: (text, alpha, weight); the two end points carry no weight and give f(x'), f(x)
    jobs = [(i, float(a), float(w)) for i in range(len(ids)) for a, w in zip(*quad, strict=True)]
    jobs += [(i, a, 0.0) for i in range(len(ids)) for a in (0.0, 1.0)]
    jobs.sort(key=lambda job: len(ids[job[0]]))  # similar lengths share a batch
    sums = [np.zeros(len(row)) for row in ids]
    ends = [[0.0, 0.0] for _ in ids]
    for start in range(0, len(jobs), batch_size):
        chunk = jobs[start : start + batch_size]
        input_ids, padding_mask = tokenizer.pad([ids[i] for i, _, _ in chunk])  # (B, T)
        interpolated = torch.zeros(len(chunk), input_ids.shape[1], table.embedding_dim)
        for r, (i, alpha, _) in enumerate(chunk):
            interpolated[r, : len(ids[i])] = bases[i] + alpha * deltas[i]  # (B, T, D)
        interpolated.requires_grad_(True)
        hidden = _hidden_from_embeddings(
            model, table, Batch(input_ids, padding_mask), interpolated
        )  # (B, T, D)
        out = head(hidden, padding_mask)  # (B,)
        (grad,) = torch.autograd.grad(out.sum(), interpolated)  # (B, T, D)
        values = out.detach()
        for r, (i, alpha, weight) in enumerate(chunk):
            if weight == 0.0:
                ends[i][int(alpha)] = float(values[r])
            else:
                n = len(ids[i])
                sums[i] += weight * (grad[r, :n] * deltas[i]).sum(-1).double().numpy()
    return sums, [(a, b) for a, b in ends]


def _result(
    text: str,
    tokenizer: Tokenizer,
    ids: list[int],
    layout: tuple[list[tuple[int, int]], list[bool]],
    sums: np.ndarray,
    ends: tuple[float, float],
    steps: int,
    rule: Rule,
    baseline: Baseline,
) -> TokenAttributions:
    offsets, special = layout
    keep = [t for t in range(len(ids)) if not special[t]]
    values = [float(sums[t]) for t in keep]
    largest = max((abs(v) for v in values), default=0.0)
    spans = [
        Span(
            start=offsets[t][0],
            end=offsets[t][1],
            label="raises" if v >= 0 else "lowers",
            score=min(1.0, abs(v) / largest) if largest > 0 else 0.0,
        )
        for t, v in zip(keep, values, strict=True)
    ]
    f_base, f_x = ends
    return TokenAttributions(
        text=text,
        spans=spans,
        tokens=[str(tokenizer.backend.id_to_token(ids[t])) for t in keep],
        attributions=values,
        output=f_x,
        baseline_output=f_base,
        completeness_gap=float(sums.sum()) - (f_x - f_base),
        steps=steps,
        rule=rule,
        baseline=baseline,
    )


def sum_over_ranges(
    result: TokenAttributions, ranges: Mapping[str, tuple[int, int]]
) -> dict[str, float]:
    """Token attributions summed per named character range `[start, end)` of the text.

    A token counts towards the range holding its first character; names whose range holds no
    token get 0.
    """
    totals = dict.fromkeys(ranges, 0.0)
    for span, value in zip(result.spans, result.attributions, strict=True):
        for name, (start, end) in ranges.items():
            if start <= span.start < end:
                totals[name] += value
                break
    return totals
