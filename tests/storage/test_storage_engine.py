"""The engine factory: SQLite in the data directory with durable writes; PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from medlm.errors import StorageError
from medlm.settings import Settings, StorageSettings
from medlm.storage.engine import make_engine


def test_default_engine_is_a_sqlite_file_created_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "new" / "data")
    engine = make_engine(settings)
    with engine.connect() as conn:
        conn.execute(sa.text("select 1"))
    engine.dispose()
    assert (tmp_path / "new" / "data" / "medlm.sqlite").is_file()


def test_sqlite_connections_use_wal_full_synchronous_writes_and_secure_delete(
    settings: Settings,
) -> None:
    engine = make_engine(settings)
    with engine.connect() as conn:
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        foreign_keys = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
        secure_delete = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
    engine.dispose()
    assert (journal, synchronous, foreign_keys, secure_delete) == ("wal", 2, 1, 1)  # 2 == FULL


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u:p@localhost/db", "backend 'mysql'"),
        ("sqlite://", "in-memory"),
        ("not a url", "not a valid SQLAlchemy URL"),
    ],
)
def test_unusable_database_url_is_a_storage_error_naming_it(
    tmp_path: Path, url: str, message: str
) -> None:
    settings = Settings(data_dir=tmp_path, storage=StorageSettings(database_url=url))
    with pytest.raises(StorageError, match=message):
        make_engine(settings)


@pytest.mark.postgres
def test_postgres_url_gives_a_postgresql_engine(postgres_settings: Settings) -> None:
    engine = make_engine(postgres_settings)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select 1")).scalar() == 1
    assert engine.dialect.name == "postgresql"
    engine.dispose()
