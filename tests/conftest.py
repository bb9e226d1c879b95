"""Shared fixtures: isolated settings, a CLI runner, and a service client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medlm.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The documented development switch lets the in-process test client call /v1 routes without a
# token; tests/service/test_auth.py turns it off to check authentication and roles.
os.environ.setdefault("MEDLM_SECURITY__DEV_NO_AUTH_LOOPBACK", "true")
# A fixed test-only AES-256 key ring (id "test") so stored record documents are encrypted in tests.
TEST_ENCRYPTION_KEYS = "test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
os.environ.setdefault("MEDLM_SECURITY__ENCRYPTION_KEYS", TEST_ENCRYPTION_KEYS)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data directory and SQLite database live in a fresh temporary folder."""
    return Settings(data_dir=tmp_path / "medlm-data")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the CLI's settings at a temporary data directory; yields that folder."""
    data_dir = tmp_path / "cli-data"
    monkeypatch.setenv("MEDLM_DATA_DIR", str(data_dir))
    monkeypatch.delenv("MEDLM_DATABASE_URL", raising=False)
    yield data_dir


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
