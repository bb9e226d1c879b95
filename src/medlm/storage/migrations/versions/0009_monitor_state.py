"""Per-patient monitor state shared by every worker process.

`monitor_state` holds one row per (signal, patient): a version bumped by every transaction that
changes the patient's monitor state (other processes reload the patient when it moved) and the
alert policy's state as JSON. See `medlm.storage.tables.monitor_state`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_state",
        sa.Column("signal", sa.String(length=16), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signal", "patient_id", name="pk_monitor_state"),
    )


def downgrade() -> None:
    op.drop_table("monitor_state")
