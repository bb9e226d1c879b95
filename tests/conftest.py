"""Shared fixtures: isolated settings, a CLI runner, and a service client."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
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


@pytest.fixture
def postgres_schema_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The URL of a fresh schema on the PostgreSQL test server (MEDLM_TEST_POSTGRES_URL),
    dropped after the test; skips without a server, fails when it is marked unavailable."""
    base = os.environ.get("MEDLM_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("MEDLM_TEST_POSTGRES_URL is not set; PostgreSQL tests skipped")
    if base == "unavailable":
        pytest.fail("MEDLM_TEST_POSTGRES_URL=unavailable: the PostgreSQL server could not start")
    monkeypatch.delenv("MEDLM_DATABASE_URL", raising=False)
    schema = f"medlm_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
