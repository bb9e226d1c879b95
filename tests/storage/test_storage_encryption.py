"""Record documents are encrypted at rest: no PHI in the database file, rotation, fail closed."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from medlm.privacy.encryption import (
    ENCRYPTED_COLUMNS,
    EncryptionKeyError,
    KeyRing,
    key_id_of,
    reencrypt_column,
)
from medlm.records import ClinicalNote, Patient, PatientRecord, Sex
from medlm.settings import SecuritySettings, Settings
from medlm.storage import migrate
from medlm.storage.encrypted import FieldCipher, bind_cipher
from medlm.storage.engine import make_engine
from medlm.storage.repository import ingest_runs, load_patient, save_records

NOTE = "Seen by Dr Hannelore Quist; patient Arvid Lindqvist, MRN 8844211, lives at 4 Birch Lane."
PHI = ("Hannelore Quist", "Arvid Lindqvist", "8844211", "Birch Lane", "1931-02-17")


def _record(pid: str = "p-enc") -> PatientRecord:
    return PatientRecord(
        patient=Patient(id=pid, birth_date=date(1931, 2, 17), sex=Sex.MALE),
        notes=[ClinicalNote(patient_id=pid, text=NOTE, date=datetime(2025, 3, 14, 9, 0))],
    )


def _keys(ring: KeyRing) -> str:
    return ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in ring.keys.items())


def _settings(tmp_path: Path, **security: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", security=SecuritySettings(**security))


def _engine(settings: Settings) -> sa.Engine:
    engine = make_engine(settings)
    migrate.upgrade(engine)
    return engine


def _file_bytes(settings: Settings) -> bytes:
    folder = settings.data_dir
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith("medlm"))


def test_no_phi_in_the_sqlite_file_and_it_reads_back(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    settings = _settings(tmp_path, encryption_keys=SecretStr(_keys(ring)))
    engine = _engine(settings)
    save_records(engine, [_record()], source="enc.json")
    assert load_patient(engine, "p-enc") == _record()
    engine.dispose()
    raw = _file_bytes(settings)
    assert b"enc1:k1:" in raw
    for phi in PHI:
        assert phi.encode() not in raw, phi


def test_rotation_reencrypts_stored_rows_which_still_read_back(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    engine = _engine(_settings(tmp_path, encryption_keys=SecretStr(_keys(ring))))
    save_records(engine, [_record("a"), _record("b")], source="rot.json")
    rotated = ring.with_new_active()
    metadata = sa.MetaData()
    moved = 0
    for name in ENCRYPTED_COLUMNS:
        table_name, _, column = name.partition(".")
        table = sa.Table(table_name, metadata, autoload_with=engine)
        moved += reencrypt_column(engine, rotated, table, column)
    assert moved == 2 + 2 + 1  # two patients, two notes, one ingest run
    with engine.connect() as conn:
        stored = conn.execute(sa.text("select data from patient_resources")).scalars().all()
    assert {key_id_of(v) for v in stored} == {rotated.active}
    only_new = KeyRing({rotated.active: rotated.keys[rotated.active]}, active=rotated.active)
    bind_cipher(engine, FieldCipher(ring=only_new))
    assert load_patient(engine, "a") == _record("a")


def test_missing_key_fails_closed_on_write_and_read(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    keyed = _settings(tmp_path, encryption_keys=SecretStr(_keys(ring)))
    engine = _engine(keyed)
    save_records(engine, [_record()], source="k.json")
    engine.dispose()
    keyless = _engine(_settings(tmp_path))
    assert [r.patients_accepted for r in ingest_runs(keyless)] == [1]  # counts need no key
    with pytest.raises(EncryptionKeyError, match="no encryption key configured") as read:
        load_patient(keyless, "p-enc")
    with pytest.raises(EncryptionKeyError, match="no encryption key configured") as write:
        save_records(keyless, [_record("p-2")], source="k2.json")
    for exc in (read.value, write.value):
        assert not any(phi in str(exc) for phi in PHI)


def test_wrong_key_fails_closed_without_plaintext(tmp_path: Path) -> None:
    engine = _engine(_settings(tmp_path, encryption_keys=SecretStr(_keys(KeyRing.generate()))))
    save_records(engine, [_record()], source="w.json")
    engine.dispose()
    wrong = _engine(_settings(tmp_path, encryption_keys=SecretStr(_keys(KeyRing.generate()))))
    with pytest.raises(EncryptionKeyError, match="does not decrypt") as info:
        load_patient(wrong, "p-enc")
    assert not any(phi in str(info.value) for phi in PHI)


def test_plaintext_values_are_refused_unless_the_development_switch_is_on(
    tmp_path: Path,
) -> None:
    dev = _engine(_settings(tmp_path, dev_plaintext_phi=True))
    save_records(dev, [_record()], source="dev.json")
    assert load_patient(dev, "p-enc") == _record()
    dev.dispose()
    keyed = _engine(_settings(tmp_path, encryption_keys=SecretStr(_keys(KeyRing.generate()))))
    with pytest.raises(EncryptionKeyError, match="not medlm-encrypted"):
        load_patient(keyed, "p-enc")


def _plaintext_rows_at_0003(engine: sa.Engine) -> None:
    migrate.upgrade(engine, "0003")
    now = datetime(2025, 1, 1)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "insert into ingest_runs (source, created_at, patients_accepted,"
                " resources_accepted, rejection_count, rejections) values ('s', :t, 1, 1, 0, '[]')"
            ),
            {"t": now},
        )
        run_id = conn.execute(sa.text("select max(id) from ingest_runs")).scalar_one()
        conn.execute(
            sa.text("insert into patients values ('p-old', :r, :d, :t)"),
            {
                "r": run_id,
                "d": json.dumps(_record("p-old").patient.model_dump(mode="json")),
                "t": now,
            },
        )
        conn.execute(
            sa.text(
                "insert into patient_resources (patient_id, kind, position, data)"
                " values ('p-old', 'notes', 0, :d)"
            ),
            {"d": json.dumps(_record("p-old").notes[0].model_dump(mode="json"))},
        )


def test_upgrade_encrypts_existing_plaintext_rows(tmp_path: Path) -> None:
    settings = _settings(tmp_path, encryption_keys=SecretStr(_keys(KeyRing.generate())))
    engine = make_engine(settings)
    _plaintext_rows_at_0003(engine)
    migrate.upgrade(engine)
    assert load_patient(engine, "p-old") == _record("p-old")
    engine.dispose()
    raw = _file_bytes(settings)
    assert not any(phi.encode() in raw for phi in PHI)


def test_upgrade_without_a_key_refuses_to_leave_plaintext_rows(tmp_path: Path) -> None:
    engine = make_engine(_settings(tmp_path))
    _plaintext_rows_at_0003(engine)
    with pytest.raises(Exception, match="configure an encryption key"):
        migrate.upgrade(engine)
    assert migrate.current_revisions(engine) == {"0003"}


def test_upgrade_encrypts_existing_plaintext_rows_on_postgresql(
    postgres_settings: Settings,
) -> None:
    engine = make_engine(postgres_settings)  # the test key ring from tests/conftest.py
    try:
        _plaintext_rows_at_0003(engine)
        migrate.upgrade(engine)
        assert load_patient(engine, "p-old") == _record("p-old")
        with engine.connect() as conn:
            stored = conn.execute(sa.text("select data::text from patient_resources")).scalar_one()
        assert stored.startswith("enc1:test:") and "Lindqvist" not in stored
        save_records(engine, [_record("p-new")], source="pg.json")
        assert load_patient(engine, "p-new") == _record("p-new")
        migrate.downgrade(engine, "0003")
        with engine.connect() as conn:
            note = conn.execute(sa.text("select data->>'text' from patient_resources")).scalar()
        assert note == NOTE
    finally:
        engine.dispose()


def test_an_open_engine_reads_values_rotated_by_another_process(tmp_path: Path) -> None:
    key_file = tmp_path / "keys.json"
    KeyRing.generate().save(key_file)
    settings = _settings(tmp_path, encryption_key_file=key_file)
    serving = _engine(settings)  # e.g. the service's engine, open across the rotation
    save_records(serving, [_record("a")], source="before.json")
    rotated = KeyRing.load(key_file).with_new_active()
    rotated.save(key_file)
    other = make_engine(settings)  # `medlm keys rotate` in another process
    metadata = sa.MetaData()
    for name in ENCRYPTED_COLUMNS:
        table_name, _, column = name.partition(".")
        table = sa.Table(table_name, metadata, autoload_with=other)
        reencrypt_column(other, rotated, table, column)
    other.dispose()
    assert load_patient(serving, "a") == _record("a")  # the file is re-read for the new key
    save_records(serving, [_record("b")], source="after.json")
    with serving.connect() as conn:
        stored = conn.execute(sa.text("select data from patients")).scalars().all()
    assert {key_id_of(v) for v in stored} == {rotated.active}
    KeyRing.generate().save(key_file)  # a file that lost the keys: still fails closed
    bind_cipher(serving, FieldCipher(ring=KeyRing.generate(), key_file=key_file))
    with pytest.raises(EncryptionKeyError, match="no key with id"):
        load_patient(serving, "a")
