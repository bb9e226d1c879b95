"""Encrypt the PHI-bearing record documents at rest (JSON columns become sealed text); audit
entries may name several patients (patient_id becomes text).

Existing plaintext values are encrypted under the key ring bound to the engine; with stored rows
and no key configured the upgrade refuses (nothing is left half-converted).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from medlm.errors import StorageError
from medlm.privacy.encryption import PREFIX, decrypt, encrypt
from medlm.storage.encrypted import FieldCipher

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, column, primary key)
_COLUMNS = (
    ("patients", "data", "patient_id"),
    ("patient_resources", "data", "id"),
    ("ingest_runs", "rejections", "id"),
)
_json = sa.JSON().with_variant(JSONB(), "postgresql")


def _cipher() -> FieldCipher | None:
    cipher = getattr(op.get_bind().dialect, "medlm_field_cipher", None)
    return cipher if isinstance(cipher, FieldCipher) else None


def _alter(table: str, column: str, type_: sa.types.TypeEngine[Any], using: str) -> None:
    """Change a column's type in place on PostgreSQL. SQLite is left alone: its JSON columns
    already hold text, and a batch table copy would cascade-delete the patients' resources."""
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column(table, column, type_=type_, postgresql_using=using, existing_nullable=False)


def upgrade() -> None:
    bind = op.get_bind()
    cipher = _cipher()
    rows = sum(
        bind.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
        for table, _, _ in _COLUMNS
    )
    if rows and (cipher is None or cipher.ring is None):
        raise StorageError(
            f"the database holds {rows} record rows in clear; configure an encryption key "
            "(MEDLM_SECURITY__ENCRYPTION_KEY_FILE or MEDLM_SECURITY__ENCRYPTION_KEYS) and run "
            "the upgrade again to encrypt them"
        )
    if bind.dialect.name != "sqlite":  # SQLite does not enforce VARCHAR lengths
        op.alter_column("audit_log", "patient_id", type_=sa.Text(), existing_nullable=True)
    for table, column, pk in _COLUMNS:
        _alter(table, column, sa.Text(), f"{column}::text")
        if not rows or cipher is None or cipher.ring is None:
            continue
        for row_id, value in bind.execute(sa.text(f"SELECT {pk}, {column} FROM {table}")).all():
            if str(value).startswith(PREFIX + ":"):
                continue
            text = json.dumps(json.loads(value), separators=(",", ":"), ensure_ascii=False)
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :v WHERE {pk} = :k"),
                {"v": encrypt(cipher.ring, text, f"{table}.{column}"), "k": row_id},
            )


def downgrade() -> None:
    bind = op.get_bind()
    cipher = _cipher()
    for table, column, pk in _COLUMNS:
        for row_id, value in bind.execute(sa.text(f"SELECT {pk}, {column} FROM {table}")).all():
            if not str(value).startswith(PREFIX + ":"):
                continue
            if cipher is None or cipher.ring is None:
                raise StorageError(f"downgrading {table}.{column} needs the encryption key")
            plain = decrypt(cipher.ring, value, f"{table}.{column}")
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :v WHERE {pk} = :k"),
                {"v": plain, "k": row_id},
            )
        _alter(table, column, _json, f"{column}::jsonb")
    if bind.dialect.name != "sqlite":
        op.alter_column("audit_log", "patient_id", type_=sa.String(64), existing_nullable=True)
