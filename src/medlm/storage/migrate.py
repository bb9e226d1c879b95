"""Schema migrations: run the Alembic scripts shipped inside the package, programmatically.

`upgrade` is safe to call from several threads and processes at once: Alembic's `context` is a
process-wide proxy, so upgrades in one process run one at a time under a process lock; across
processes, PostgreSQL upgrades hold a transaction-level advisory lock and SQLite upgrades an
exclusive lock on a file next to the database, so the second one finds the schema current.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from medlm.errors import StorageError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 0x6D65646C6D  # pg_advisory_xact_lock key: "medlm" in ASCII
# Alembic's `context` proxy is process-global state: two upgrades in one process must not
# overlap (they failed with KeyError 'config'). A lock is the one module-level object here.
_PROCESS_LOCK = threading.Lock()


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _sqlite_file_lock(engine: sa.Engine) -> Iterator[None]:
    """An exclusive lock on `<database>.migrate.lock` while a SQLite upgrade runs (POSIX)."""
    database = engine.url.database or ""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: one process is assumed to migrate
        yield
        return
    path = Path(database).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: sa.Engine, revision: str = "heads") -> None:
    """Bring the database schema up to `revision` (default: every head), one upgrade at a time
    (see the module docstring)."""
    backend = engine.url.get_backend_name()
    file_lock: AbstractContextManager[None] = (
        _sqlite_file_lock(engine) if backend == "sqlite" else nullcontext()
    )
    try:
        with _PROCESS_LOCK, file_lock, engine.begin() as connection:
            if backend == "postgresql":
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            command.upgrade(_config(connection), revision)
    except sa.exc.SQLAlchemyError as exc:
        raise StorageError(f"migrating the database to {revision!r} failed: {exc}") from exc
    logger.info("database schema upgraded to %s", revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Take the database schema down to `revision` (e.g. "base" to remove every table)."""
    try:
        with _PROCESS_LOCK, engine.begin() as connection:
            command.downgrade(_config(connection), revision)
    except sa.exc.SQLAlchemyError as exc:
        raise StorageError(f"downgrading the database to {revision!r} failed: {exc}") from exc


def current_revisions(engine: sa.Engine) -> set[str]:
    """The revisions the database is at now (empty before the first upgrade)."""
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def head_revisions() -> set[str]:
    """The head revisions shipped in the package."""
    return set(ScriptDirectory.from_config(_config()).get_heads())
