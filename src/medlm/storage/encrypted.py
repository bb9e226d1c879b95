"""Encrypted JSON columns: values are sealed with AES-256-GCM under the key ring bound to the
engine, and a missing or wrong key fails closed."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from medlm.errors import ConfigError
from medlm.privacy.encryption import (
    PREFIX,
    EncryptionKeyError,
    KeyRing,
    decrypt,
    encrypt,
    key_id_of,
)
from medlm.settings import Settings

logger = logging.getLogger(__name__)

_ATTRIBUTE = "medlm_field_cipher"


@dataclass(frozen=True)
class FieldCipher:
    """What an engine does with encrypted columns: seal under `ring`, or (development only,
    `security.dev_plaintext_phi`) store plain JSON when no ring is configured. `key_file` is
    where the ring came from, re-read when a value names a key the ring lacks (after a rotation
    by `medlm keys rotate` while this engine was open)."""

    ring: KeyRing | None
    allow_plaintext: bool = False
    key_file: Path | None = None


def cipher_from_settings(settings: Settings) -> FieldCipher:
    """The ring from settings; without one, plaintext only under the explicit development switch
    (otherwise every read or write of an encrypted column raises EncryptionKeyError)."""
    security = settings.security
    if security.encryption_key_file is None and security.encryption_keys is None:
        return FieldCipher(ring=None, allow_plaintext=security.dev_plaintext_phi)
    return FieldCipher(ring=KeyRing.from_settings(security), key_file=security.encryption_key_file)


def bind_cipher(engine: sa.Engine, cipher: FieldCipher) -> None:
    """Attach `cipher` to the engine's dialect, where the column type finds it (one per engine)."""
    setattr(engine.dialect, _ATTRIBUTE, cipher)


def _cipher(dialect: Dialect) -> FieldCipher:
    cipher = getattr(dialect, _ATTRIBUTE, None)
    if not isinstance(cipher, FieldCipher):
        raise ConfigError("this engine has no field cipher; create it with make_engine(settings)")
    return cipher


_NO_KEY = (
    "no encryption key configured for {context}: set MEDLM_SECURITY__ENCRYPTION_KEY_FILE "
    "or MEDLM_SECURITY__ENCRYPTION_KEYS (see docs/privacy.md)"
)


def seal(cipher: FieldCipher, document: Any, context: str) -> str:
    """The stored text of `document`: encrypted, or plain JSON under the development switch."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    if cipher.ring is not None:
        return encrypt(cipher.ring, text, context)
    if cipher.allow_plaintext:
        return text
    raise EncryptionKeyError(_NO_KEY.format(context=context))


def unseal(cipher: FieldCipher, stored: str, context: str) -> Any:
    """The document of a stored text; EncryptionKeyError when it cannot be read under the key."""
    if stored.startswith(PREFIX + ":"):
        if cipher.ring is None:
            raise EncryptionKeyError(_NO_KEY.format(context=context))
        return json.loads(decrypt(cipher.ring, stored, context))
    if cipher.allow_plaintext:
        return json.loads(stored)
    raise EncryptionKeyError(f"{context} holds a value that is not medlm-encrypted; refusing it")


class EncryptedJson(sa.types.TypeDecorator[Any]):
    """A JSON document stored as `enc1:<key id>:<sealed>` text; `context` ("table.column") is
    bound into each value as associated data."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else seal(_cipher(dialect), value, self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        stored = str(value)
        return unseal(_current_cipher(dialect, stored), stored, self.context)


def _current_cipher(dialect: Dialect, stored: str) -> FieldCipher:
    """The engine's cipher; when `stored` names a key its ring lacks and the ring came from a key
    file, the file is read again (a rotation happened) and the new ring is bound to the engine."""
    cipher = _cipher(dialect)
    if cipher.ring is None or cipher.key_file is None or not stored.startswith(PREFIX + ":"):
        return cipher
    if key_id_of(stored) in cipher.ring.keys:
        return cipher
    ring = KeyRing.load(cipher.key_file)
    if ring.keys == cipher.ring.keys and ring.active == cipher.ring.active:
        return cipher
    fresh = FieldCipher(ring=ring, allow_plaintext=cipher.allow_plaintext, key_file=cipher.key_file)
    setattr(dialect, _ATTRIBUTE, fresh)
    logger.info("key ring re-read from its file: active key is now %s", ring.active)
    return fresh
