"""Vital-sign readings, scores, quarantined values and alerts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")
_tz = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "vital_readings",
        _id(),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("time", _tz, nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("value_num", sa.Float(), nullable=True),
        sa.Column("value_text", sa.String(length=16), nullable=True),
        sa.Column("spo2_scale", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("received_at", _tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vital_readings"),
        sa.UniqueConstraint("patient_id", "time", "parameter", name="uq_vital_readings_key"),
    )
    op.create_table(
        "vital_scores",
        _id(),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("time", _tz, nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("partial_total", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("risk", sa.String(length=16), nullable=True),
        sa.Column("result", _json, nullable=False),
        sa.Column("scored_at", _tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vital_scores"),
        sa.UniqueConstraint("patient_id", "time", name="uq_vital_scores_key"),
    )
    op.create_table(
        "vital_quarantine",
        _id(),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("time", _tz, nullable=True),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("received_at", _tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vital_quarantine"),
        sa.UniqueConstraint(
            "patient_id", "time", "parameter", "value", name="uq_vital_quarantine_key"
        ),
    )
    op.create_table(
        "vital_alerts",
        _id(),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("time", _tz, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("previous_level", sa.Integer(), nullable=False),
        sa.Column("response", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("created_at", _tz, nullable=False),
        sa.Column("acknowledged_at", _tz, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_vital_alerts"),
        sa.UniqueConstraint("patient_id", "time", "kind", "level", name="uq_vital_alerts_key"),
    )
    op.create_index("ix_vital_alerts_patient_id", "vital_alerts", ["patient_id"])


def downgrade() -> None:
    op.drop_index("ix_vital_alerts_patient_id", table_name="vital_alerts")
    op.drop_table("vital_alerts")
    op.drop_table("vital_quarantine")
    op.drop_table("vital_scores")
    op.drop_table("vital_readings")
