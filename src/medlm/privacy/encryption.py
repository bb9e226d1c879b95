"""Encryption at rest: AES-256-GCM field encryption under a key ring; every value carries the id
of its key, so keys can rotate; a missing or wrong key fails closed."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel

from medlm.errors import ConfigError, MedlmError
from medlm.settings import SecuritySettings

logger = logging.getLogger(__name__)

PREFIX = "enc1"
_NONCE_BYTES = 12


class EncryptionKeyError(MedlmError):
    """No key, an unknown key id, or a value that does not decrypt under its key."""


@dataclass(frozen=True)
class KeyRing:
    """AES-256 keys by id; `active` encrypts, every key decrypts."""

    keys: dict[str, bytes]
    active: str

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ConfigError(f"key ring: active key id {self.active!r} has no key")
        for key_id, key in self.keys.items():
            if len(key) != 32 or ":" in key_id:
                raise ConfigError(f"key ring: key {key_id!r} is not a 256-bit key with a plain id")

    @classmethod
    def from_settings(cls, security: SecuritySettings) -> KeyRing:
        """The ring from `encryption_key_file` or `encryption_keys`; ConfigError when neither."""
        if security.encryption_key_file is not None:
            return cls.load(security.encryption_key_file)
        if security.encryption_keys is not None:
            pairs = [
                p.split(":", 1) for p in security.encryption_keys.get_secret_value().split(",")
            ]
            if any(len(p) != 2 for p in pairs):
                raise ConfigError("security.encryption_keys must be 'id:base64key,...'")
            return cls({k: _b64(v, k) for k, v in pairs}, active=pairs[0][0])
        raise ConfigError(
            "no encryption key configured: set security.encryption_key_file "
            "(MEDLM_SECURITY__ENCRYPTION_KEY_FILE) or MEDLM_SECURITY__ENCRYPTION_KEYS"
        )

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        """The ring of a key file; a file that group or others may read is logged as a warning
        (it is read all the same: mounted secrets are often 0444 inside a locked-down container)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if os.name == "posix" and path.stat().st_mode & 0o077:
                logger.warning(
                    "encryption key file %s is readable by group or others; chmod 600 it", path
                )
            return cls({k: _b64(v, k) for k, v in data["keys"].items()}, active=data["active"])
        except FileNotFoundError as exc:
            raise ConfigError(f"encryption key file {str(path)!r} does not exist") from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"encryption key file {str(path)!r} is not a medlm key ring") from exc

    def save(self, path: Path) -> None:
        """Write the ring as JSON, readable by the owner only. The file is replaced atomically
        (a temporary file, flushed to disk, then renamed): a crash never leaves a truncated ring."""
        data = {"active": self.active, "keys": {k: _enc(v) for k, v in self.keys.items()}}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def with_new_active(self) -> KeyRing:
        """The ring plus a fresh key that becomes active (old keys stay for decryption)."""
        key_id = f"k{len(self.keys) + 1}-{secrets.token_hex(3)}"
        return KeyRing({**self.keys, key_id: AESGCM.generate_key(bit_length=256)}, active=key_id)

    def without(self, key_id: str) -> KeyRing:
        """The ring less `key_id` (ConfigError for the active key or an id not in the ring)."""
        if key_id not in self.keys:
            raise ConfigError(f"key ring: no key with id {key_id!r}")
        if key_id == self.active:
            raise ConfigError(f"key ring: {key_id!r} is the active key; rotate first")
        return KeyRing({k: v for k, v in self.keys.items() if k != key_id}, active=self.active)

    @classmethod
    def generate(cls) -> KeyRing:
        return cls({"k1": AESGCM.generate_key(bit_length=256)}, active="k1")


def _b64(value: str, key_id: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"key ring: key {key_id!r} is not base64") from exc


def _enc(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def encrypt(ring: KeyRing, plaintext: str, context: str) -> str:
    """`enc1:<key id>:<base64 nonce|ciphertext|tag>`; `context` (e.g. "table.column") is bound
    as associated data so a value cannot be moved to another field."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.active]).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}:{ring.active}:{_enc(nonce + sealed)}"


def key_id_of(value: str) -> str:
    parts = value.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise EncryptionKeyError("stored value is not medlm-encrypted (refusing to read it)")
    return parts[1]


def decrypt(ring: KeyRing, value: str, context: str) -> str:
    """The plaintext; EncryptionKeyError for an unknown key or a value that fails its tag."""
    key_id = key_id_of(value)
    key = ring.keys.get(key_id)
    if key is None:
        raise EncryptionKeyError(f"no key with id {key_id!r} in the key ring")
    try:
        raw = base64.b64decode(value.split(":", 2)[2], validate=True)
        plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise EncryptionKeyError(
            f"value under key {key_id!r} does not decrypt for {context}"
        ) from exc
    return plain.decode()


def reencrypt_column(engine: sa.Engine, ring: KeyRing, table: sa.Table, column: str) -> int:
    """Re-encrypt every value of `table.column` not under the active key; returns the count."""
    col = table.c[column]
    pk = next(iter(table.primary_key.columns))
    context = f"{table.name}.{column}"
    changed = 0
    # Read and write the stored text as text, whatever type reflection gave the column.
    raw = sa.type_coerce(col, sa.Text())
    with engine.begin() as conn:
        for row_id, value in conn.execute(sa.select(pk, raw).where(col.is_not(None))).all():
            if key_id_of(value) == ring.active:
                continue
            fresh = encrypt(ring, decrypt(ring, value, context), context)
            conn.execute(
                sa.update(table)
                .where(pk == row_id)
                .values({column: sa.bindparam("fresh", fresh, type_=sa.Text())})
            )
            changed += 1
    return changed


class KeyUsage(BaseModel):
    """How many stored values of one column are under each key id; `plaintext` counts values
    that are not medlm-encrypted."""

    column: str
    by_key: dict[str, int]
    plaintext: int


def key_usage(engine: sa.Engine, table: sa.Table, column: str) -> KeyUsage:
    """Count the values of `table.column` by the key id they name (no key is needed)."""
    col = table.c[column]
    counts: dict[str, int] = {}
    plaintext = 0
    with engine.connect() as conn:
        for value in conn.execute(sa.select(sa.type_coerce(col, sa.Text()))).scalars():
            if value is None:
                continue
            parts = str(value).split(":", 2)
            if len(parts) == 3 and parts[0] == PREFIX:
                counts[parts[1]] = counts.get(parts[1], 0) + 1
            else:
                plaintext += 1
    return KeyUsage(
        column=f"{table.name}.{column}", by_key=dict(sorted(counts.items())), plaintext=plaintext
    )


ENCRYPTED_COLUMNS: tuple[str, ...] = (
    "patients.data",
    "patient_resources.data",
    "ingest_runs.rejections",
)
"""`table.column` names whose values medlm stores encrypted (`medlm.storage.encrypted`);
`medlm keys rotate` re-encrypts them."""
