"""Tables for access control and audit: users, hashed API keys, revoked tokens, the audit chain,
its head and its signed checkpoints."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from medlm.storage.tables.base import Base


class User(Base):
    """A person or system allowed to call the service, with one role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(128), unique=True)
    role: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)


class ApiKey(Base):
    """An API key: only its SHA-256 hash is stored; `key_id` is the public part of the key."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    user_name: Mapped[str] = mapped_column(sa.String(128))
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), nullable=True)


class RevokedToken(Base):
    """A JWT id (`jti`) revoked before its expiry."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    revoked_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class UsedClientToken(Base):
    """A CDS client's JWT id (`jti`) already presented, kept until the token expires so that
    the same token cannot be replayed (CDS Hooks 2.0: the jti protects against replay)."""

    __tablename__ = "used_client_tokens"

    issuer: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    jti: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)


class AuditEntry(Base):
    """One access to patient data. `entry_hash` covers this entry and `prev_hash`: an
    HMAC-SHA256 under the audit key named by `key_id`, or a plain SHA-256 when `key_id` is
    NULL (entries written before the trail was keyed, or with no key configured)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    time: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(sa.String(128))
    role: Mapped[str] = mapped_column(sa.String(32))
    action: Mapped[str] = mapped_column(sa.String(16))
    route: Mapped[str] = mapped_column(sa.String(256))
    # One id, or the sorted ids of a batch joined by commas.
    patient_id: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    outcome: Mapped[int] = mapped_column(sa.Integer)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    entry_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    key_id: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)


class AuditHead(Base):
    """The one row (`id` 1) naming the end of the audit chain. Every append locks and updates
    it in the appending transaction, which serializes writers across processes."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    entries: Mapped[int] = mapped_column(sa.Integer)
    last_seq: Mapped[int] = mapped_column(sa.Integer)
    last_hash: Mapped[str] = mapped_column(sa.String(64))


class AuditCheckpoint(Base):
    """A signed statement that the chain held `entries` entries ending at `last_seq` with hash
    `last_hash`; `mac` is keyed like the entries (`key_id` NULL: plain SHA-256)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    time: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    entries: Mapped[int] = mapped_column(sa.Integer)
    last_seq: Mapped[int] = mapped_column(sa.Integer)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
    key_id: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    mac: Mapped[str] = mapped_column(sa.String(64))
