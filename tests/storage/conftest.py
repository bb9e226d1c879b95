"""Storage fixtures: a migrated engine on SQLite always, on PostgreSQL when configured.

PostgreSQL tests run when MEDLM_TEST_POSTGRES_URL holds a SQLAlchemy URL; they skip when it is
unset and fail when it is "unavailable". Each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from medlm.settings import Settings, StorageSettings
from medlm.storage import migrate
from medlm.storage.engine import make_engine

POSTGRES_ENV = "MEDLM_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The test server's URL; skips without one, fails when it is marked unavailable."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set; PostgreSQL storage tests skipped")
    if url == "unavailable":
        pytest.fail(f"{POSTGRES_ENV}=unavailable: the PostgreSQL test server could not start")
    return url


@pytest.fixture
def postgres_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings pointing at a fresh schema on the test server; the schema is dropped after."""
    base = postgres_url()
    monkeypatch.delenv("MEDLM_DATABASE_URL", raising=False)
    schema = f"medlm_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    try:
        yield Settings(data_dir=tmp_path / "pg-data", storage=StorageSettings(database_url=url))
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for each backend in turn."""
    if request.param == "sqlite":
        return Settings(data_dir=tmp_path / "sqlite-data")
    settings: Settings = request.getfixturevalue("postgres_settings")
    return settings


@pytest.fixture
def engine(backend_settings: Settings) -> Iterator[sa.Engine]:
    """A migrated engine on each backend, disposed after the test."""
    eng = make_engine(backend_settings)
    migrate.upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()
