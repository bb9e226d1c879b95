"""Passwords (argon2 hashes), sign-in failures, web sessions and alert acknowledgement notes of
the clinician's web app.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_passwords",
        sa.Column("user_name", sa.String(length=128), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("updated_at", _tz, nullable=False),
        sa.PrimaryKeyConstraint("user_name", name="pk_web_passwords"),
    )
    op.create_table(
        "web_signin_failures",
        sa.Column("user_name", sa.String(length=128), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", _tz, nullable=False),
        sa.Column("locked_until", _tz, nullable=True),
        sa.PrimaryKeyConstraint("user_name", name="pk_web_signin_failures"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=128), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", _tz, nullable=False),
        sa.Column("last_seen_at", _tz, nullable=False),
        sa.Column("expires_at", _tz, nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_user_name", "web_sessions", ["user_name"])
    op.create_table(
        "web_alert_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", _tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_alert_notes"),
    )
    op.create_index("ix_web_alert_notes_alert_id", "web_alert_notes", ["alert_id"])


def downgrade() -> None:
    op.drop_index("ix_web_alert_notes_alert_id", table_name="web_alert_notes")
    op.drop_table("web_alert_notes")
    op.drop_index("ix_web_sessions_user_name", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("web_signin_failures")
    op.drop_table("web_passwords")
