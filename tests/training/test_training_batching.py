"""Batching: every process takes a disjoint share of the same global batch."""

from __future__ import annotations

import pytest
import torch

from medlm.errors import ConfigError
from medlm.training.batching import (
    epoch_order,
    local_micro_batches,
    micro_batch_size,
    pad_sequences,
    steps_per_epoch,
)


def test_ranks_split_each_global_batch_without_overlap() -> None:
    order = epoch_order(20, seed=1, epoch=0)
    shares = [
        [i for chunk in local_micro_batches(order, 1, 8, rank, 2, 2) for i in chunk]
        for rank in (0, 1)
    ]
    assert sorted(shares[0] + shares[1]) == sorted(order[8:16].tolist())
    assert not set(shares[0]) & set(shares[1])


def test_epoch_order_is_seeded_and_changes_between_epochs() -> None:
    assert torch.equal(epoch_order(50, 3, 1), epoch_order(50, 3, 1))
    assert not torch.equal(epoch_order(50, 3, 1), epoch_order(50, 3, 2))


def test_incomplete_last_batch_is_dropped_and_too_few_examples_refused() -> None:
    assert steps_per_epoch(20, 8) == 2
    with pytest.raises(ConfigError, match="larger than the 5 training examples"):
        steps_per_epoch(5, 8)
    with pytest.raises(ConfigError, match="divisible"):
        micro_batch_size(10, 2, 4)


def test_pad_sequences_marks_real_positions() -> None:
    ids, mask = pad_sequences([[4, 5], [6]], pad_value=0)
    assert ids.tolist() == [[4, 5], [6, 0]] and mask.tolist() == [[True, True], [True, False]]
