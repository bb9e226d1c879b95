"""Alembic environment for medlm: runs on the connection `medlm.storage.migrate` passes in."""

from __future__ import annotations

from alembic import context

from medlm.storage.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run medlm migrations through medlm.storage.migrate.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
