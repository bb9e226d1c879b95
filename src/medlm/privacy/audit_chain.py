"""The audit chain's primitives: the event record, audit keys derived from medlm's key ring,
and the canonical MACs of entries and checkpoints (see `medlm.privacy.audit` for the design)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ValidationInfo, field_validator

from medlm.errors import ConfigError
from medlm.settings import SecuritySettings

if TYPE_CHECKING:
    from medlm.privacy.encryption import KeyRing

GENESIS = "0" * 64
AUDIT_KEY_INFO = b"medlm audit v1"
_KEY_ID_CHARS = 32  # audit_log.key_id
_TEXT_LIMITS = {"actor": 128, "role": 32, "action": 16, "route": 256}  # audit_log columns


class AuditEvent(BaseModel):
    """One access to be recorded: who, what, which route and patient, and the outcome.

    Text that cannot be stored as UTF-8 (lone surrogates) has those characters replaced by
    "?", and text longer than its column is cut, ending in "..."; the entry is still written.
    """

    actor: str
    role: str
    action: str  # "read" or "write"
    route: str
    patient_id: str | None = None
    outcome: int

    @field_validator("actor", "role", "action", "route", "patient_id")
    @classmethod
    def _storable(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        value = value.encode("utf-8", errors="replace").decode("utf-8")
        limit = _TEXT_LIMITS.get(info.field_name or "")
        if limit is not None and len(value) > limit:
            value = value[: limit - 3] + "..."
        return value


def derive_audit_key(key: bytes) -> bytes:
    """The 256-bit audit key of one key-ring key (HKDF-SHA256, info `b"medlm audit v1"`)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=AUDIT_KEY_INFO).derive(key)


@dataclass(frozen=True)
class AuditKeys:
    """Audit keys by key id; `active` signs new entries and checkpoints, every key verifies."""

    keys: dict[str, bytes]
    active: str

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ConfigError(f"audit keys: active key id {self.active!r} has no key")
        long = [k for k in self.keys if len(k) > _KEY_ID_CHARS]
        if long:
            raise ConfigError(f"audit keys: key ids longer than {_KEY_ID_CHARS} characters: {long}")

    @classmethod
    def from_ring(cls, ring: KeyRing) -> AuditKeys:
        """Derive the audit keys of a `medlm.privacy.encryption.KeyRing`."""
        return cls({k: derive_audit_key(v) for k, v in ring.keys.items()}, active=ring.active)

    @classmethod
    def from_settings(cls, security: SecuritySettings) -> AuditKeys | None:
        """The audit keys of the configured key ring; None when no key is configured (the trail
        is then unkeyed). A configured but unreadable ring is a ConfigError."""
        from medlm.privacy.encryption import KeyRing

        if security.encryption_key_file is None and security.encryption_keys is None:
            return None
        return cls.from_ring(KeyRing.from_settings(security))


def stamp(time: datetime) -> str:
    """The canonical text of an entry time (UTC, microseconds, no zone suffix)."""
    if time.tzinfo is None:  # SQLite returns naive datetimes; medlm always writes UTC
        time = time.replace(tzinfo=UTC)
    return time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _canonical(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_hash(prev_hash: str, time: datetime, event: AuditEvent) -> str:
    """Unkeyed entries: SHA-256 over the previous hash and a canonical JSON of this entry."""
    body = _canonical({"time": stamp(time), **event.model_dump()})
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def entry_mac(
    key: bytes, prev_hash: str, seq: int, time: datetime, key_id: str, event: AuditEvent
) -> str:
    """Keyed entries: HMAC-SHA256(key, previous MAC || canonical JSON of this entry)."""
    body = _canonical({"seq": seq, "time": stamp(time), "key_id": key_id, **event.model_dump()})
    return hmac.new(key, f"{prev_hash}|{body}".encode(), hashlib.sha256).hexdigest()


def checkpoint_mac(
    key: bytes | None,
    entries: int,
    last_seq: int,
    last_hash: str,
    time: datetime,
    key_id: str | None,
) -> str:
    """A checkpoint's MAC (HMAC-SHA256 under `key`; plain SHA-256 when `key` is None)."""
    body = _canonical(
        {
            "checkpoint": 1,
            "entries": entries,
            "last_seq": last_seq,
            "last_hash": last_hash,
            "time": stamp(time),
            "key_id": key_id,
        }
    ).encode()
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


class CheckpointRecord(BaseModel):
    """A checkpoint as written: the chain's entry count, last seq and hash, time and key id."""

    entries: int
    last_seq: int
    last_hash: str
    time: datetime
    key_id: str | None
