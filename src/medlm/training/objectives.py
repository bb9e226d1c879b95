"""Training objectives that turn examples into batches: masked LM, span corruption, causal LM.

Each objective is a callable `(examples, generator) -> Batch`; all randomness comes from the
explicit `torch.Generator`, which the trainer seeds per step so that runs repeat exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from medlm.errors import InputError
from medlm.lm.models import IGNORE_INDEX, Batch
from medlm.training.batching import Example, pad_labels, pad_sequences


@dataclass(frozen=True)
class MaskedLM:
    """BERT masking: pick `probability` of the maskable tokens (at least one per sequence);
    of those, 80% become the mask token, 10% a random token, 10% stay; only picked tokens
    carry labels."""

    mask_id: int
    pad_id: int
    vocab_size: int
    special_ids: tuple[int, ...]
    probability: float = 0.15

    def __call__(self, examples: Sequence[Example], generator: torch.Generator) -> Batch:
        ids, mask = pad_sequences([e.input_ids for e in examples], self.pad_id)  # (B, T)
        maskable = mask & ~torch.isin(ids, torch.tensor(self.special_ids))
        draw = torch.rand(ids.shape, generator=generator)
        picked = maskable & (draw < self.probability)
        # Sequences where nothing was picked get their maskable token with the lowest draw.
        none_picked = ~picked.any(dim=1) & maskable.any(dim=1)
        fallback = torch.where(maskable, draw, 2.0).argmin(dim=1)
        picked[none_picked, fallback[none_picked]] = True
        labels = torch.where(picked, ids, IGNORE_INDEX)
        action = torch.rand(ids.shape, generator=generator)
        inputs = ids.clone()
        inputs[picked & (action < 0.8)] = self.mask_id
        randomise = picked & (action >= 0.8) & (action < 0.9)
        random_ids = torch.randint(0, self.vocab_size, ids.shape, generator=generator)
        inputs[randomise] = random_ids[randomise]
        return Batch(inputs, mask, labels=labels)


@dataclass(frozen=True)
class CausalLM:
    """Next-token prediction: labels are the inputs, ignored at padding (the model shifts)."""

    pad_id: int

    def __call__(self, examples: Sequence[Example], generator: torch.Generator) -> Batch:
        ids, mask = pad_sequences([e.input_ids for e in examples], self.pad_id)
        return Batch(ids, mask, labels=torch.where(mask, ids, IGNORE_INDEX))


@dataclass(frozen=True)
class SpanCorruption:
    """T5 span corruption: replace random spans (about `noise_density` of the tokens, mean
    length `mean_span_length`) with sentinels; the decoder predicts each sentinel followed by
    the tokens it hid. The first (start) and last (end) token of each example stay."""

    sentinel_ids: tuple[int, ...]
    start_id: int
    end_id: int
    pad_id: int
    noise_density: float = 0.15
    mean_span_length: float = 3.0

    def __call__(self, examples: Sequence[Example], generator: torch.Generator) -> Batch:
        sources, targets = [], []
        for example in examples:
            source, target = self._corrupt(example.input_ids[1:-1], generator)
            sources.append([self.start_id, *source, self.end_id])
            targets.append([*target, self.end_id])
        ids, mask = pad_sequences(sources, self.pad_id)
        decoder_ids, decoder_mask = pad_sequences(
            [[self.start_id, *t[:-1]] for t in targets], self.pad_id
        )
        return Batch(
            ids,
            mask,
            labels=pad_labels(targets),
            decoder_input_ids=decoder_ids,
            decoder_padding_mask=decoder_mask,
        )

    def _corrupt(
        self, tokens: list[int], generator: torch.Generator
    ) -> tuple[list[int], list[int]]:
        length = len(tokens)
        if length < 2:
            raise InputError(f"span corruption needs at least 2 content tokens, got {length}")
        n_noise = min(max(1, round(length * self.noise_density)), length - 1)
        n_spans = max(1, min(round(n_noise / self.mean_span_length), n_noise, length - n_noise))
        if n_spans > len(self.sentinel_ids):
            raise InputError(
                f"span corruption needs {n_spans} sentinels, the tokenizer has "
                f"{len(self.sentinel_ids)}"
            )
        noise_lengths = _partition(n_noise, n_spans, generator)
        keep_lengths = _partition(length - n_noise, n_spans, generator)
        source: list[int] = []
        target: list[int] = []
        position = 0
        for span, (keep, noise) in enumerate(zip(keep_lengths, noise_lengths, strict=True)):
            source += tokens[position : position + keep]
            position += keep
            source.append(self.sentinel_ids[span])
            target += [self.sentinel_ids[span], *tokens[position : position + noise]]
            position += noise
        return source, target


def _partition(total: int, parts: int, generator: torch.Generator) -> list[int]:
    """Split `total` into `parts` positive integers at random cut points."""
    cuts = (torch.randperm(total - 1, generator=generator)[: parts - 1] + 1).sort().values
    bounds = [0, *cuts.tolist(), total]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


@dataclass(frozen=True)
class Classification:
    """Fine-tuning batches: a class id per example (B,) or class ids per token (B, T)."""

    pad_id: int

    def __call__(self, examples: Sequence[Example], generator: torch.Generator) -> Batch:
        ids, mask = pad_sequences([e.input_ids for e in examples], self.pad_id)
        labels = [e.label for e in examples]
        if any(label is None for label in labels):
            raise InputError("every classification example needs a label")
        if all(isinstance(label, int) for label in labels):
            return Batch(ids, mask, labels=torch.tensor(labels, dtype=torch.long))
        return Batch(ids, mask, labels=pad_labels([list(label) for label in labels]))  # type: ignore[arg-type]
