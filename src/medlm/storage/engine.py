"""The database engine factory: a SQLite file in the data directory, or PostgreSQL by URL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from medlm.errors import StorageError
from medlm.settings import Settings
from medlm.storage.encrypted import bind_cipher, cipher_from_settings

logger = logging.getLogger(__name__)

SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL journal and synchronous=FULL: an acknowledged commit is on disk; FKs enforced;
    secure_delete: deleted and overwritten content is zeroed, so a value replaced by its
    encrypted form (migration 0004, key rotation) does not linger in free pages. Some SQLite
    builds have it on by default, others not: it is set explicitly."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


def make_engine(settings: Settings) -> sa.Engine:
    """Create the engine for `settings.database_url` (SQLite in `settings.data_dir` by default).

    The SQLite file and its folder are created when missing. The key ring from
    `settings.security` is bound to the engine for the encrypted columns. Raises StorageError for
    a URL medlm cannot use, ConfigError for an unreadable key ring.
    """
    raw_url = settings.database_url
    try:
        url = make_url(raw_url)
    except sa.exc.ArgumentError as exc:
        raise StorageError(f"database_url {raw_url!r} is not a valid SQLAlchemy URL") from exc
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise StorageError(
            f"database_url uses backend {backend!r}; medlm supports {', '.join(SUPPORTED_BACKENDS)}"
        )
    echo = settings.storage.echo_sql
    if backend == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:"):
            raise StorageError("database_url must name a SQLite file, not an in-memory database")
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, echo=echo)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = sa.create_engine(url, echo=echo, pool_pre_ping=True)
    bind_cipher(engine, cipher_from_settings(settings))
    logger.debug("database engine created for backend %s", backend)
    return engine
