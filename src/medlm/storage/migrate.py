"""Schema migrations: run the Alembic scripts shipped inside the package, programmatically."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from medlm.errors import StorageError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine, revision: str = "heads") -> None:
    """Bring the database schema up to `revision` (default: every head)."""
    try:
        with engine.begin() as connection:
            command.upgrade(_config(connection), revision)
    except sa.exc.SQLAlchemyError as exc:
        raise StorageError(f"migrating the database to {revision!r} failed: {exc}") from exc
    logger.info("database schema upgraded to %s", revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Take the database schema down to `revision` (e.g. "base" to remove every table)."""
    try:
        with engine.begin() as connection:
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
