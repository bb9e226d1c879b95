"""Ingest runs, patients and their resources.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("patients_accepted", sa.Integer(), nullable=False),
        sa.Column("resources_accepted", sa.Integer(), nullable=False),
        sa.Column("rejection_count", sa.Integer(), nullable=False),
        sa.Column("rejections", _json, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_runs"),
    )
    op.create_table(
        "patients",
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("ingest_run_id", sa.Integer(), nullable=False),
        sa.Column("data", _json, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ingest_run_id"],
            ["ingest_runs.id"],
            name="fk_patients_ingest_run_id_ingest_runs",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("patient_id", name="pk_patients"),
    )
    op.create_index("ix_patients_ingest_run_id", "patients", ["ingest_run_id"])
    op.create_table(
        "patient_resources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", _json, nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.patient_id"],
            name="fk_patient_resources_patient_id_patients",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_patient_resources"),
    )
    op.create_index(
        "ix_patient_resources_patient_kind", "patient_resources", ["patient_id", "kind"]
    )


def downgrade() -> None:
    op.drop_index("ix_patient_resources_patient_kind", table_name="patient_resources")
    op.drop_table("patient_resources")
    op.drop_index("ix_patients_ingest_run_id", table_name="patients")
    op.drop_table("patients")
    op.drop_table("ingest_runs")
