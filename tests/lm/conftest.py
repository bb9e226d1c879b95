"""Fixtures of the language model tests."""

from __future__ import annotations

import pytest
from lm_helpers import tiny_config

from medlm.lm.config import TransformerConfig


@pytest.fixture
def tiny() -> TransformerConfig:
    return tiny_config()
