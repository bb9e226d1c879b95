"""The measurement behind each stored alert, and who acknowledged it.

`vital_alerts` gains nullable columns: `value`, `unit`, `threshold` (the bound of the alerted
level, in `unit`), `source` (the glucose sample) and `duration_minutes`, so pages can name the
value in any language instead of quoting the monitor's English sentence, and `acknowledged_by`.
Existing alerts keep nulls (their values are only in `reason`). Adding nullable columns needs no
table rebuild on SQLite or PostgreSQL.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("value", sa.Float()),
    ("unit", sa.String(length=16)),
    ("threshold", sa.Float()),
    ("source", sa.String(length=16)),
    ("duration_minutes", sa.Float()),
    ("acknowledged_by", sa.String(length=128)),
)


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("vital_alerts", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("vital_alerts") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
