"""The audit trail: an append-only table of patient-data accesses, each entry chained to the one
before by an HMAC-SHA256 under an audit key, with signed checkpoints of the chain's head.

Keys. The audit key of each key id of medlm's key ring (`security.encryption_key_file` or
`security.encryption_keys`, managed by `medlm keys`) is derived from that key with HKDF-SHA256
(info `b"medlm audit v1"`), so audit and encryption keys differ. Every entry stores the id of
its key: when `medlm keys rotate` makes a new key active, new entries use it and old entries
verify under their own key id (a key is not retired while audit entries use it).

Entry MAC = HMAC-SHA256(audit key, previous MAC || canonical JSON of the entry: seq, time, key
id, actor, role, action, route, patient id, outcome). A checkpoint (entry count, last seq, last
MAC, time) is MACed with the same key; one is written every `checkpoint_every` entries, whenever
the key id changes (so the first keyed entry starts the keyed chain with one) and on demand
(`medlm audit checkpoint`). Deleting the newest entries leaves a checkpoint naming an entry that
is gone; a checkpoint vouches only for the entries up to itself, later ones are checked by the
chain.

No key configured: entries are chained with plain SHA-256 (key id NULL), which detects
accidental damage but not an edit by someone who can write to the database and re-hash the
chain; `medlm audit verify` then reports the trail as "unkeyed: not tamper-evident against
database writers". (The service does not refuse to start for this: it already refuses to store
patient documents without an encryption key unless `security.dev_plaintext_phi` is set, so a
service that holds PHI has a key and a keyed trail.) Entries written before the trail was keyed
(migration 0006) are such unkeyed entries too; the first keyed entry's MAC covers the last of
them. Once the chain holds a keyed entry, an unkeyed entry after it is reported as tampering.

What no database-held MAC can show: someone who deletes the newest entries together with the
checkpoints and head that name them leaves an older, consistent trail. Keep the `head` that
`medlm audit verify` prints (or a checkpoint's MAC) outside the database and pass it back with
`--head`: that entry must still be in the trail.

Writers: `record(event, connection)` appends inside the caller's transaction, so an action and
its audit entry commit or roll back together. Each append first updates the one-row
`audit_head` table, which takes the row lock on PostgreSQL and the write lock on SQLite, so
concurrent writers, in any number of processes, append one after another.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from pydantic import BaseModel

from medlm.errors import ConfigError, InputError, StorageError
from medlm.privacy.audit_chain import (
    GENESIS,
    AuditEvent,
    AuditKeys,
    CheckpointRecord,
    checkpoint_mac,
    derive_audit_key,
    entry_hash,
    entry_mac,
)
from medlm.privacy.audit_report import AuditProblem, AuditVerification
from medlm.privacy.audit_verify import verify_trail
from medlm.storage.tables.privacy import AuditCheckpoint, AuditEntry, AuditHead

__all__ = [
    "GENESIS",
    "AuditEvent",
    "AuditKeys",
    "AuditLog",
    "AuditProblem",
    "AuditVerification",
    "CheckpointRecord",
    "audit_key_usage",
    "derive_audit_key",
]

DEFAULT_CHECKPOINT_EVERY = 100
_HEAD_ID = 1


class _Head(BaseModel):
    entries: int
    last_seq: int
    last_hash: str


class AuditLog:
    """Appends to, checkpoints and verifies the audit chain (see the module docstring)."""

    def __init__(
        self,
        engine: sa.Engine,
        keys: AuditKeys | None = None,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
    ) -> None:
        if checkpoint_every < 1:
            raise ConfigError(f"audit checkpoint_every must be at least 1, not {checkpoint_every}")
        self.engine = engine
        self.keys = keys
        self.checkpoint_every = checkpoint_every

    def record(self, event: AuditEvent, connection: sa.Connection | None = None) -> str:
        """Append one entry and return its MAC. With `connection`, the entry is written in the
        caller's open transaction (committed or rolled back with it); otherwise in its own."""
        if connection is not None:
            return self._append(connection, event)
        with self.engine.begin() as conn:
            return self._append(conn, event)

    def checkpoint(self, connection: sa.Connection | None = None) -> CheckpointRecord:
        """Write a checkpoint of the current head; InputError on an empty trail."""
        if connection is not None:
            return self._checkpoint_now(connection)
        with self.engine.begin() as conn:
            return self._checkpoint_now(conn)

    def verify(self, expected_head: str | None = None) -> AuditVerification:
        """Check every entry, checkpoint and the head (`audit_verify.verify_trail`); with
        `expected_head` (a MAC kept outside the database) that entry must still be there."""
        with self.engine.connect() as conn:
            # One read snapshot for the head, the checkpoints and the entries, so appends made
            # meanwhile are either all seen or not at all (SQLite: a WAL read transaction).
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN")
            else:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            return verify_trail(conn, self.keys, expected_head=expected_head)

    def _lock_head(self, conn: sa.Connection) -> _Head:
        # A no-op UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) first, so
        # the head read next cannot change before this transaction ends.
        locked = conn.execute(
            sa.update(AuditHead).where(AuditHead.id == _HEAD_ID).values(entries=AuditHead.entries)
        )
        row = conn.execute(
            sa.select(AuditHead.entries, AuditHead.last_seq, AuditHead.last_hash).where(
                AuditHead.id == _HEAD_ID
            )
        ).first()
        if locked.rowcount == 0 or row is None:
            raise StorageError(
                "the audit head row is missing (audit_head id 1); the trail may have been "
                "tampered with: run medlm audit verify"
            )
        return _Head(entries=row.entries, last_seq=row.last_seq, last_hash=row.last_hash)

    def _append(self, conn: sa.Connection, event: AuditEvent) -> str:
        head = self._lock_head(conn)
        previous_key = conn.execute(
            sa.select(AuditEntry.key_id).where(AuditEntry.seq == head.last_seq)
        ).scalar()
        seq, now = head.last_seq + 1, datetime.now(UTC)
        key_id = None if self.keys is None else self.keys.active
        if self.keys is None or key_id is None:
            digest = entry_hash(head.last_hash, now, event)
        else:
            digest = entry_mac(self.keys.keys[key_id], head.last_hash, seq, now, key_id, event)
        conn.execute(
            sa.insert(AuditEntry).values(
                seq=seq,
                time=now,
                prev_hash=head.last_hash,
                entry_hash=digest,
                key_id=key_id,
                **event.model_dump(),
            )
        )
        fresh = _Head(entries=head.entries + 1, last_seq=seq, last_hash=digest)
        conn.execute(
            sa.update(AuditHead).where(AuditHead.id == _HEAD_ID).values(**fresh.model_dump())
        )
        if key_id != previous_key or fresh.entries % self.checkpoint_every == 0:
            self._write_checkpoint(conn, fresh)
        return digest

    def _checkpoint_now(self, conn: sa.Connection) -> CheckpointRecord:
        head = self._lock_head(conn)
        if head.entries == 0:
            raise InputError("audit checkpoint: the trail has no entries to vouch for")
        return self._write_checkpoint(conn, head)

    def _write_checkpoint(self, conn: sa.Connection, head: _Head) -> CheckpointRecord:
        now = datetime.now(UTC)
        key_id = None if self.keys is None else self.keys.active
        key = None if self.keys is None or key_id is None else self.keys.keys[key_id]
        record = CheckpointRecord(**head.model_dump(), time=now, key_id=key_id)
        mac = checkpoint_mac(key, head.entries, head.last_seq, head.last_hash, now, key_id)
        conn.execute(sa.insert(AuditCheckpoint).values(**record.model_dump(), mac=mac))
        return record


def audit_key_usage(engine: sa.Engine) -> dict[str, int]:
    """How many audit entries and checkpoints are signed under each key id (no key needed);
    a key in use cannot leave the key ring without the trail becoming unverifiable."""
    counts: dict[str, int] = {}
    if not sa.inspect(engine).has_table(AuditCheckpoint.__tablename__):
        return counts  # a database before migration 0006 has no keyed entries
    with engine.connect() as conn:
        for table in (AuditEntry, AuditCheckpoint):
            grouped = conn.execute(
                sa.select(table.key_id, sa.func.count())
                .where(table.key_id.is_not(None))
                .group_by(table.key_id)
            )
            for key_id, count in grouped.all():
                counts[str(key_id)] = counts.get(str(key_id), 0) + count
    return dict(sorted(counts.items()))
