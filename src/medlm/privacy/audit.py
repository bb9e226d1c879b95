"""The audit trail: an append-only table of patient-data accesses, each entry chained to the one
before by a SHA-256 hash, and a verifier that finds edited, inserted or deleted entries."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime

import sqlalchemy as sa
from pydantic import BaseModel

from medlm.storage.tables.privacy import AuditEntry

GENESIS = "0" * 64


class AuditEvent(BaseModel):
    """One access to be recorded: who, what, which route and patient, and the outcome."""

    actor: str
    role: str
    action: str  # "read" or "write"
    route: str
    patient_id: str | None = None
    outcome: int


class AuditVerification(BaseModel):
    """The result of checking the chain; `head` is the last hash, to keep outside the database
    (a deleted tail can only be detected against a head kept elsewhere)."""

    ok: bool
    entries: int
    head: str
    problems: list[str]


def _stamp(time: datetime) -> str:
    if time.tzinfo is None:  # SQLite returns naive datetimes; medlm always writes UTC
        time = time.replace(tzinfo=UTC)
    return time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def entry_hash(prev_hash: str, time: datetime, event: AuditEvent) -> str:
    """SHA-256 over the previous hash and a canonical JSON of this entry."""
    body = json.dumps(
        {"time": _stamp(time), **event.model_dump()}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


class AuditLog:
    """Appends to and verifies the `audit_log` table. Appends are serialized in-process and the
    last row is locked (`FOR UPDATE` on PostgreSQL) so the chain stays linear."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()

    def record(self, event: AuditEvent) -> str:
        """Append one entry; returns its hash."""
        with self._lock, self.engine.begin() as conn:
            last = conn.execute(
                sa.select(AuditEntry.entry_hash)
                .order_by(AuditEntry.seq.desc())
                .limit(1)
                .with_for_update()
            ).scalar()
            prev = last or GENESIS
            now = datetime.now(UTC)
            digest = entry_hash(prev, now, event)
            conn.execute(
                sa.insert(AuditEntry).values(
                    time=now, prev_hash=prev, entry_hash=digest, **event.model_dump()
                )
            )
        return digest

    def verify(self) -> AuditVerification:
        """Recompute every hash in order; report the first entries that do not fit."""
        problems: list[str] = []
        prev = GENESIS
        count = 0
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(AuditEntry.__table__).order_by(AuditEntry.seq))
            for row in rows:
                count += 1
                event = AuditEvent(
                    actor=row.actor,
                    role=row.role,
                    action=row.action,
                    route=row.route,
                    patient_id=row.patient_id,
                    outcome=row.outcome,
                )
                if row.prev_hash != prev:
                    problems.append(f"entry {row.seq}: previous-hash link broken (entry removed?)")
                if entry_hash(row.prev_hash, row.time, event) != row.entry_hash:
                    problems.append(f"entry {row.seq}: content does not match its hash (edited)")
                prev = row.entry_hash
        return AuditVerification(ok=not problems, entries=count, head=prev, problems=problems)
