"""Fixtures of the language model tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from lm_helpers import tiny_config

from medlm.lm.config import TransformerConfig


@pytest.fixture
def tiny() -> TransformerConfig:
    return tiny_config()


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny models run fastest on one thread (no thread hand-offs on a busy 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
