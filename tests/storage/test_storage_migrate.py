"""Shipped Alembic migrations: upgrade to heads, idempotence, downgrade, and model parity."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from medlm.storage import migrate
from medlm.storage.tables import Base

RECORD_TABLES = {"ingest_runs", "patients", "patient_resources"}


def test_upgrade_creates_the_record_tables_at_the_head_revision(engine: sa.Engine) -> None:
    tables = set(sa.inspect(engine).get_table_names())
    assert tables >= RECORD_TABLES
    assert migrate.current_revisions(engine) == migrate.head_revisions()


def test_records_migration_is_revision_0001_with_no_parent() -> None:
    script = ScriptDirectory.from_config(migrate._config())
    revision = script.get_revision("0001")
    assert revision is not None and revision.down_revision is None


def test_upgrade_twice_is_a_no_op(engine: sa.Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revisions(engine) == migrate.head_revisions()


# Revision 0004 changes these types only on PostgreSQL: on SQLite the JSON and VARCHAR columns
# already hold any text, and rebuilding `patients` would cascade-delete its resources.
_SQLITE_KEPT_TYPES = {
    ("patients", "data"),
    ("patient_resources", "data"),
    ("ingest_runs", "rejections"),
    ("audit_log", "patient_id"),
}


def _compare_type(
    context: MigrationContext,
    inspected: sa.Column[object],
    metadata: sa.Column[object],
    inspected_type: object,
    metadata_type: object,
) -> bool | None:
    if context.dialect.name == "sqlite" and (inspected.table.name, inspected.name) in (
        _SQLITE_KEPT_TYPES
    ):
        return False
    return None


def test_migrated_schema_matches_the_table_models(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": _compare_type})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_base_removes_the_record_tables(engine: sa.Engine) -> None:
    migrate.downgrade(engine, "base")
    assert not RECORD_TABLES & set(sa.inspect(engine).get_table_names())
    assert migrate.current_revisions(engine) == set()
