"""Keyed, tamper-evident audit trail: a key id on each entry, a one-row head that serializes
writers, and a table of signed head checkpoints.

Existing entries are kept as they are, as legacy entries: their `key_id` is NULL and they keep
their plain SHA-256 hashes (not re-chained: the migration has no key). The head row is set to
the end of the existing chain. The first entry written with an audit key links to the last
legacy hash under its HMAC, and a checkpoint is written with it, so from then on the legacy
prefix cannot be edited undetected either.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)
_GENESIS = "0" * 64


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("key_id", sa.String(length=32), nullable=True))
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time", _tz, nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=True),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_checkpoints"),
    )
    bind = op.get_bind()
    count = bind.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar_one()
    last = bind.execute(
        sa.text("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    ).first()
    last_seq, last_hash = (last[0], last[1]) if last is not None else (0, _GENESIS)
    op.bulk_insert(
        head, [{"id": 1, "entries": count, "last_seq": last_seq, "last_hash": last_hash}]
    )


def downgrade() -> None:
    # Keyed entries lose their key ids: the SHA-256 verifier of 0005 will not accept them.
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("key_id")
