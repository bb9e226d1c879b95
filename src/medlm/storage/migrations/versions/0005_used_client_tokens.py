"""Remember the JWT ids (`jti`) of CDS client tokens until they expire, to refuse replays.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "used_client_tokens",
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("issuer", "jti", name="pk_used_client_tokens"),
    )
    op.create_index(
        "ix_used_client_tokens_expires_at", "used_client_tokens", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_used_client_tokens_expires_at", table_name="used_client_tokens")
    op.drop_table("used_client_tokens")
