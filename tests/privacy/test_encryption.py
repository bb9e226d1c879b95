"""Field encryption: AES-256-GCM with the key id in each value, rotation, failing closed."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import sqlalchemy as sa

from medlm.errors import ConfigError
from medlm.privacy.encryption import (
    EncryptionKeyError,
    KeyRing,
    decrypt,
    encrypt,
    key_id_of,
    reencrypt_column,
)
from medlm.settings import SecuritySettings

NOTE = "Pt John Smith, MRN 4455667, lives at 12 Elm Street."


def test_round_trip_hides_plaintext_and_names_its_key() -> None:
    ring = KeyRing.generate()
    sealed = encrypt(ring, NOTE, "notes.text")
    assert "Smith" not in sealed and key_id_of(sealed) == ring.active
    assert decrypt(ring, sealed, "notes.text") == NOTE
    assert encrypt(ring, NOTE, "notes.text") != sealed  # fresh nonce every time


def test_wrong_key_field_or_tampering_fails_closed() -> None:
    ring = KeyRing.generate()
    sealed = encrypt(ring, NOTE, "notes.text")
    with pytest.raises(EncryptionKeyError):
        decrypt(KeyRing.generate(), sealed, "notes.text")  # same id, different key
    with pytest.raises(EncryptionKeyError):
        decrypt(ring, sealed, "patients.name")  # moved to another column
    with pytest.raises(EncryptionKeyError):
        decrypt(ring, sealed[:-4] + "AAAA", "notes.text")
    with pytest.raises(EncryptionKeyError, match="not medlm-encrypted"):
        decrypt(ring, NOTE, "notes.text")


def test_missing_key_configuration_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no encryption key configured"):
        KeyRing.from_settings(SecuritySettings())
    with pytest.raises(ConfigError, match="does not exist"):
        KeyRing.from_settings(SecuritySettings(encryption_key_file=tmp_path / "none.json"))


def test_key_file_round_trip_and_rotation_reencrypts(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    ring = KeyRing.generate()
    ring.save(path)
    assert KeyRing.from_settings(SecuritySettings(encryption_key_file=path)) == ring
    assert path.stat().st_mode & 0o777 == 0o600
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    table = sa.Table(
        "notes",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text),
    )
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(table), [{"id": i, "text": encrypt(ring, NOTE, "notes.text")} for i in (1, 2)]
        )
    rotated = ring.with_new_active()
    assert reencrypt_column(engine, rotated, table, "text") == 2
    with engine.connect() as conn:
        values = conn.execute(sa.select(table.c.text)).scalars().all()
    assert all(
        key_id_of(v) == rotated.active and decrypt(rotated, v, "notes.text") == NOTE for v in values
    )
    assert b"Smith" not in (tmp_path / "db.sqlite").read_bytes()


def test_a_key_file_others_may_read_is_logged_as_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "keys.json"
    ring = KeyRing.generate()
    ring.save(path)
    KeyRing.load(path)
    assert not caplog.records
    path.chmod(0o644)
    assert KeyRing.load(path) == ring
    assert "readable by group or others" in caplog.text
    assert not any(base64.b64encode(key).decode() in caplog.text for key in ring.keys.values())
