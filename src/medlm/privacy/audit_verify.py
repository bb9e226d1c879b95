"""The audit trail's verifier: walks the chain, the checkpoints and the head row, and names the
first entry that does not fit. It reads rows as raw values, so a malformed row (NULLs, wrong
types, unreadable times) is reported as such and never stops the check."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from medlm.privacy.audit_chain import (
    GENESIS,
    AuditEvent,
    AuditKeys,
    checkpoint_mac,
    entry_hash,
    entry_mac,
)
from medlm.privacy.audit_report import (
    UNKEYED_WARNING,
    AuditProblem,
    AuditVerification,
    ProblemKind,
)

_MAX_PROBLEMS = 50


class _Entry(BaseModel):
    model_config = ConfigDict(strict=True)

    seq: int
    time: datetime
    prev_hash: str
    entry_hash: str
    key_id: str | None
    event: AuditEvent


class _Checkpoint(BaseModel):
    model_config = ConfigDict(strict=True)

    id: int
    time: datetime
    entries: int
    last_seq: int
    last_hash: str
    key_id: str | None
    mac: str


def _time(value: Any) -> datetime:
    """A stored time: a datetime (PostgreSQL) or SQLite's text; ValueError otherwise."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"time {value!r} is not a timestamp")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _parse_entry(row: Any) -> _Entry:
    event = AuditEvent.model_validate(
        {k: getattr(row, k) for k in ("actor", "role", "action", "route", "patient_id")}
        | {"outcome": row.outcome},
        strict=True,
    )
    return _Entry(
        seq=row.seq,
        time=_time(row.time),
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
        key_id=row.key_id,
        event=event,
    )


def _mac_ok(expected: str, actual: str) -> bool:
    return hmac.compare_digest(expected.encode(), actual.encode())


class _Walk:
    """The state of one pass over the chain in `seq` order."""

    def __init__(self, keys: AuditKeys | None, wanted: set[int], expected_head: str | None):
        self.keys = keys
        self.wanted = wanted  # seqs that checkpoints name: remember their position and hash
        self.expected_head = expected_head
        self.seen: dict[int, tuple[int, str]] = {}
        self.findings: list[AuditProblem] = []
        self.count = self.keyed = self.unkeyed = 0
        self.key_ids: set[str] = set()
        self.prev: str | None = GENESIS
        self.last_seq = 0
        self.head_found = False

    def step(self, row: Any) -> None:
        self.count += 1
        self.last_seq = row.seq if isinstance(row.seq, int) else self.last_seq
        try:
            entry = _parse_entry(row)
        except (PydanticValidationError, ValueError, TypeError, OverflowError) as exc:
            self.add(
                "malformed_row", row.seq, None, f"entry {row.seq}: malformed row ({_why(exc)})"
            )
            self.prev = row.entry_hash if isinstance(row.entry_hash, str) else None
            return
        self._check(entry)
        if entry.seq in self.wanted:
            self.seen[entry.seq] = (self.count, entry.entry_hash)
        if self.expected_head is not None and entry.entry_hash == self.expected_head:
            self.head_found = True
        self.prev = entry.entry_hash

    def _check(self, entry: _Entry) -> None:
        seq = entry.seq
        if self.prev is not None and entry.prev_hash != self.prev:
            self.add(
                "broken_link",
                seq,
                None,
                f"entry {seq}: previous-hash link broken (an entry before it was removed, "
                "inserted or re-hashed)",
            )
        if entry.key_id is None:
            self.unkeyed += 1
            if self.keyed:
                self.add("downgrade", seq, None, f"entry {seq}: unkeyed entry after keyed ones")
            elif entry_hash(entry.prev_hash, entry.time, entry.event) != entry.entry_hash:
                self.add("mac_mismatch", seq, None, f"entry {seq}: content does not match its hash")
            return
        self.keyed += 1
        self.key_ids.add(entry.key_id)
        key = None if self.keys is None else self.keys.keys.get(entry.key_id)
        if key is None:
            self.add(
                "unknown_key_id",
                seq,
                None,
                f"entry {seq}: key id {entry.key_id!r} is not in the key ring"
                + (" (no key is configured)" if self.keys is None else ""),
            )
            return
        mac = entry_mac(key, entry.prev_hash, seq, entry.time, entry.key_id, entry.event)
        if not _mac_ok(mac, entry.entry_hash):
            self.add("mac_mismatch", seq, None, f"entry {seq}: MAC mismatch (edited or forged)")

    def add(self, kind: ProblemKind, seq: Any, checkpoint: int | None, detail: str) -> None:
        self.findings.append(
            AuditProblem(
                kind=kind,
                seq=seq if isinstance(seq, int) else None,
                checkpoint=checkpoint,
                detail=detail,
            )
        )


def _why(exc: Exception) -> str:
    if isinstance(exc, PydanticValidationError):
        fields = sorted({".".join(str(p) for p in e["loc"]) or "value" for e in exc.errors()})
        return "bad " + ", ".join(fields)
    return type(exc).__name__


def _load_checkpoints(conn: sa.Connection, walk_findings: list[AuditProblem]) -> list[_Checkpoint]:
    rows = conn.execute(
        sa.text(
            "SELECT id, time, entries, last_seq, last_hash, key_id, mac "
            "FROM audit_checkpoints ORDER BY id"
        )
    ).all()
    checkpoints = []
    for row in rows:
        try:
            checkpoints.append(_Checkpoint(**{**row._asdict(), "time": _time(row.time)}))
        except (PydanticValidationError, ValueError, TypeError, OverflowError) as exc:
            walk_findings.append(
                AuditProblem(
                    kind="malformed_row",
                    checkpoint=row.id if isinstance(row.id, int) else None,
                    detail=f"checkpoint {row.id}: malformed row ({_why(exc)})",
                )
            )
    return checkpoints


def _check_checkpoint(
    cp: _Checkpoint, keys: AuditKeys | None, walk: _Walk
) -> tuple[ProblemKind, str] | None:
    """What is wrong with `cp` (kind and sentence), or None when it holds."""
    if cp.key_id is None:
        key = None
    elif keys is None or cp.key_id not in keys.keys:
        return "unknown_key_id", f"checkpoint {cp.id}: key id {cp.key_id!r} is not in the key ring"
    else:
        key = keys.keys[cp.key_id]
    mac = checkpoint_mac(key, cp.entries, cp.last_seq, cp.last_hash, cp.time, cp.key_id)
    if not _mac_ok(mac, cp.mac):
        return "checkpoint_mismatch", f"checkpoint {cp.id}: MAC mismatch (edited or forged)"
    if cp.last_seq not in walk.seen:
        return (
            "missing_entries",
            f"checkpoint {cp.id} vouches for {cp.entries} entries up to entry "
            f"{cp.last_seq}, which is missing (entries deleted?)",
        )
    position, stored = walk.seen[cp.last_seq]
    if not _mac_ok(cp.last_hash, stored):
        return (
            "checkpoint_mismatch",
            f"entry {cp.last_seq} does not have the MAC that checkpoint "
            f"{cp.id} vouches for (edited or re-hashed)",
        )
    if position != cp.entries:
        return (
            "missing_entries",
            f"checkpoint {cp.id} vouches for {cp.entries} entries up to entry "
            f"{cp.last_seq}; the trail has {position} (entries deleted or inserted)",
        )
    return None


class _HeadRow(BaseModel):
    model_config = ConfigDict(strict=True)

    entries: int
    last_seq: int
    last_hash: str


def _load_head(conn: sa.Connection, findings: list[AuditProblem]) -> _HeadRow | None:
    row = conn.execute(
        sa.text("SELECT entries, last_seq, last_hash FROM audit_head WHERE id = 1")
    ).first()
    if row is None:
        findings.append(AuditProblem(kind="head_mismatch", detail="the audit head row is missing"))
        return None
    try:
        return _HeadRow(**row._asdict())
    except PydanticValidationError as exc:
        detail = f"the audit head row is malformed ({_why(exc)})"
        findings.append(AuditProblem(kind="malformed_row", detail=detail))
        return None


def _check_head(head: _HeadRow, walk: _Walk) -> None:
    """The head row (read in the same snapshot as the entries) must name the last entry."""
    last_hash = walk.prev if walk.count else GENESIS
    if (head.entries, head.last_seq, head.last_hash) != (walk.count, walk.last_seq, last_hash):
        walk.add(
            "head_mismatch",
            head.last_seq,
            None,
            f"the head row names {head.entries} entries ending at entry {head.last_seq}; the "
            f"trail holds {walk.count} ending at entry {walk.last_seq} (entries deleted, or "
            "the trail changed outside medlm)",
        )


def verify_trail(
    conn: sa.Connection, keys: AuditKeys | None, expected_head: str | None = None
) -> AuditVerification:
    """Check every entry (link, MAC or hash, key id, row shape), every checkpoint (MAC, and that
    the entries it vouches for are all still there) and the head row; `conn` should read one
    snapshot (see `AuditLog.verify`)."""
    early: list[AuditProblem] = []
    head = _load_head(conn, early)
    checkpoints = _load_checkpoints(conn, early)
    walk = _Walk(keys, {cp.last_seq for cp in checkpoints}, expected_head)
    rows = conn.execute(
        sa.text(
            "SELECT seq, time, actor, role, action, route, patient_id, outcome, prev_hash, "
            "entry_hash, key_id FROM audit_log ORDER BY seq"
        )
    )
    for row in rows:
        walk.step(row)
    walk.findings.extend(early)
    for cp in checkpoints:
        failure = _check_checkpoint(cp, keys, walk)
        if failure is not None:
            walk.add(failure[0], cp.last_seq, cp.id, failure[1])
    if head is not None:
        _check_head(head, walk)
    if expected_head is not None and not walk.head_found:
        walk.add(
            "expected_head_missing",
            None,
            None,
            f"the expected head {expected_head[:16]}... is not in the trail (entries removed?)",
        )
    return _result(walk, len(checkpoints) + sum(p.checkpoint is not None for p in early))


def _result(walk: _Walk, checkpoints: int) -> AuditVerification:
    notes = []
    if walk.findings:
        status: Literal["intact", "unkeyed", "empty", "tampered"] = "tampered"
    elif walk.count == 0 and checkpoints == 0:
        status = "empty"
    elif walk.keyed == 0:
        status = "unkeyed"
        notes.append(UNKEYED_WARNING)
    else:
        status = "intact"
    if walk.keyed and walk.unkeyed:
        notes.append(
            f"the first {walk.unkeyed} entries are unkeyed (written before the trail was keyed); "
            "the first keyed entry's MAC covers them"
        )
    head = walk.prev if walk.count and walk.prev is not None else GENESIS
    return AuditVerification(
        status=status,
        entries=walk.count,
        keyed_entries=walk.keyed,
        unkeyed_entries=walk.unkeyed,
        checkpoints=checkpoints,
        key_ids=sorted(walk.key_ids),
        head=head,
        findings=walk.findings[:_MAX_PROBLEMS],
        more_findings=max(0, len(walk.findings) - _MAX_PROBLEMS),
        notes=notes,
    )
