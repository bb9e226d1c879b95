"""Batching: training examples, padding, and the seeded global-batch order shared by all ranks.

Every process computes the same shuffled order of examples for an epoch (seeded by the run's
seed and the epoch) and cuts it into global batches of `batch_size` examples; each process
then takes its rows of each global batch (rows rank, rank + world, ...), split further into
gradient-accumulation micro-batches. The last incomplete global batch of an epoch is
dropped; the next epoch reshuffles, so no example is left out for good.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from medlm.errors import ConfigError
from medlm.lm.models import IGNORE_INDEX


@dataclass(frozen=True)
class Example:
    """One training example: token ids and, for fine-tuning, a class id or per-token class ids."""

    input_ids: list[int]
    label: int | list[int] | None = None


def pad_sequences(sequences: Sequence[Sequence[int]], pad_value: int) -> tuple[Tensor, Tensor]:
    """Right-pad to (B, T) and return the (B, T) bool mask, True at real positions."""
    longest = max((len(s) for s in sequences), default=0)
    ids = torch.full((len(sequences), longest), pad_value, dtype=torch.long)
    mask = torch.zeros((len(sequences), longest), dtype=torch.bool)
    for row, seq in enumerate(sequences):
        if seq:
            ids[row, : len(seq)] = torch.as_tensor(list(seq), dtype=torch.long)
            mask[row, : len(seq)] = True
    return ids, mask


def pad_labels(labels: Sequence[Sequence[int]]) -> Tensor:
    """Right-pad per-token labels to (B, T) with IGNORE_INDEX."""
    return pad_sequences(labels, IGNORE_INDEX)[0]


def micro_batch_size(batch_size: int, world_size: int, accumulation: int) -> int:
    """Examples per forward pass; the global batch must split evenly."""
    per_step = world_size * accumulation
    if batch_size % per_step:
        raise ConfigError(
            f"training.batch_size={batch_size} must be divisible by processes x "
            f"gradient_accumulation = {world_size} x {accumulation}"
        )
    return batch_size // per_step


def steps_per_epoch(n_examples: int, batch_size: int) -> int:
    steps = n_examples // batch_size
    if steps == 0:
        raise ConfigError(
            f"training.batch_size={batch_size} is larger than the {n_examples} training examples"
        )
    return steps


def epoch_order(n_examples: int, seed: int, epoch: int) -> Tensor:
    """The shuffled example order of one epoch, identical on every process."""
    generator = torch.Generator().manual_seed(seed * 100_003 + epoch)
    return torch.randperm(n_examples, generator=generator)


def local_micro_batches(
    order: Tensor, step: int, batch_size: int, rank: int, world_size: int, accumulation: int
) -> Iterator[list[int]]:
    """Example indices of this process's micro-batches for global step `step`."""
    global_batch = order[step * batch_size : (step + 1) * batch_size]
    local = global_batch[rank::world_size].tolist()
    size = len(local) // accumulation
    for i in range(accumulation):
        yield local[i * size : (i + 1) * size]
