"""Glucose readings (point-of-care, laboratory, CGM) and the signal of stored alerts.

`glucose_readings` holds one reading in mg/dL per (patient, time, kind of sample). Alerts of
every signal share `vital_alerts`, so the alert list and its live stream carry both: the new
`signal` column ("news2" for every existing row) joins the table's natural key, so a NEWS2 and a
glucose alert at the same time and level are two alerts. SQLite rebuilds the table for the key
change (batch mode); PostgreSQL alters it in place.

Revision ID: 0007
Revises: 0006, 0002 (the monitoring branch: this revision joins the two heads)
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = ("0006", "0002")  # joins the monitoring branch, which made vital_alerts
branch_labels = None
depends_on = None

_tz = sa.DateTime(timezone=True)
_OLD_KEY = ["patient_id", "time", "kind", "level"]
_NEW_KEY = ["patient_id", "time", "signal", "kind", "level"]


def upgrade() -> None:
    op.create_table(
        "glucose_readings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("time", _tz, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("mg_dl", sa.Float(), nullable=False),
        sa.Column("reported", sa.String(length=64), nullable=True),
        sa.Column("origin", sa.String(length=200), nullable=True),
        sa.Column("ingest", sa.String(length=200), nullable=False),
        sa.Column("received_at", _tz, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_glucose_readings"),
        sa.UniqueConstraint("patient_id", "time", "source", name="uq_glucose_readings_key"),
    )
    op.create_index("ix_glucose_readings_patient_id", "glucose_readings", ["patient_id"])
    with op.batch_alter_table("vital_alerts") as batch:
        batch.add_column(
            sa.Column("signal", sa.String(length=16), nullable=False, server_default="news2")
        )
        batch.drop_constraint("uq_vital_alerts_key", type_="unique")
        batch.create_unique_constraint("uq_vital_alerts_key", _NEW_KEY)


def downgrade() -> None:
    op.execute("DELETE FROM vital_alerts WHERE signal <> 'news2'")
    with op.batch_alter_table("vital_alerts") as batch:
        batch.drop_constraint("uq_vital_alerts_key", type_="unique")
        batch.create_unique_constraint("uq_vital_alerts_key", _OLD_KEY)
        batch.drop_column("signal")
    op.drop_index("ix_glucose_readings_patient_id", table_name="glucose_readings")
    op.drop_table("glucose_readings")
