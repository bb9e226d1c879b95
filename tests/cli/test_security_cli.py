"""`medlm users`, `medlm tokens`, `medlm audit verify` and `medlm keys`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from medlm.cli.app import app


def test_user_key_lifecycle(runner: CliRunner, cli_env: Path) -> None:
    assert runner.invoke(app, ["users", "create", "ana", "--role", "clinician"]).exit_code == 0
    created = runner.invoke(app, ["tokens", "create", "ana", "--json"])
    assert created.exit_code == 0, created.output
    key = json.loads(created.stdout)
    assert key["token"].startswith("mlk_") and key["id"] in key["token"]
    assert runner.invoke(app, ["tokens", "revoke", key["id"]]).exit_code == 0
    again = runner.invoke(app, ["tokens", "revoke", key["id"]])
    assert again.exit_code == 2 and "already revoked" in again.output
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"]).stdout)
    assert listed[0]["name"] == "ana" and listed[0]["role"] == "clinician"


def test_bad_role_is_one_error_line(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["users", "create", "bob", "--role", "superuser"])
    assert result.exit_code == 2 and "superuser" in result.output


def test_jwt_needs_a_configured_secret(
    runner: CliRunner, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke(app, ["users", "create", "eve", "--role", "researcher"])
    assert runner.invoke(app, ["tokens", "create", "eve", "--kind", "jwt"]).exit_code == 2
    monkeypatch.setenv("MEDLM_SECURITY__JWT_SECRET", "x" * 40)
    assert runner.invoke(app, ["tokens", "create", "eve", "--kind", "jwt"]).exit_code == 0


def test_audit_verify_on_an_empty_trail_says_empty(runner: CliRunner, cli_env: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["ok"] is True and report["status"] == "empty"
    cut = runner.invoke(app, ["audit", "verify", "--head", "f" * 64])
    assert cut.exit_code == 1


def test_keys_generate_then_rotate(
    runner: CliRunner, cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keys.json"
    assert runner.invoke(app, ["keys", "generate", str(path)]).exit_code == 0
    assert runner.invoke(app, ["keys", "generate", str(path)]).exit_code == 2
    monkeypatch.setenv("MEDLM_SECURITY__ENCRYPTION_KEY_FILE", str(path))
    from medlm.records import ClinicalNote, Patient, PatientRecord
    from medlm.settings import Settings
    from medlm.storage import migrate
    from medlm.storage.engine import make_engine
    from medlm.storage.repository import load_patient, save_records

    record = PatientRecord(
        patient=Patient(id="p-rot"), notes=[ClinicalNote(text="Pt Ines Okafor, MRN 5512")]
    )
    engine = make_engine(Settings())
    migrate.upgrade(engine)
    save_records(engine, [record], source="rot.json")
    engine.dispose()
    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 3 values" in result.output  # patient, note, ingest run
    ring = json.loads(path.read_text())
    assert len(ring["keys"]) == 2
    engine = make_engine(Settings())
    assert load_patient(engine, "p-rot") == record
    with engine.connect() as conn:
        note = conn.execute(sa.text("select data from patient_resources")).scalar_one()
    assert note.startswith(f"enc1:{ring['active']}:")


def test_interrupted_rotation_keeps_every_value_readable_and_resume_finishes_it(
    runner: CliRunner, cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medlm.privacy import encryption
    from medlm.records import ClinicalNote, Patient, PatientRecord
    from medlm.settings import Settings
    from medlm.storage import migrate
    from medlm.storage.engine import make_engine
    from medlm.storage.repository import load_patient, save_records

    path = tmp_path / "keys.json"
    assert runner.invoke(app, ["keys", "generate", str(path)]).exit_code == 0
    monkeypatch.setenv("MEDLM_SECURITY__ENCRYPTION_KEY_FILE", str(path))
    record = PatientRecord(
        patient=Patient(id="p-cut"), notes=[ClinicalNote(text="Pt Ines Okafor, MRN 5512")]
    )
    engine = make_engine(Settings())
    migrate.upgrade(engine)
    save_records(engine, [record], source="cut.json")
    engine.dispose()

    real = encryption.reencrypt_column
    calls: list[str] = []

    def crash_after_first_column(
        engine: sa.Engine, ring: encryption.KeyRing, table: sa.Table, column: str
    ) -> int:
        if calls:
            raise OSError("disk went away")
        calls.append(f"{table.name}.{column}")
        return real(engine, ring, table, column)

    monkeypatch.setattr(encryption, "reencrypt_column", crash_after_first_column)
    assert runner.invoke(app, ["keys", "rotate"]).exit_code != 0
    ring = encryption.KeyRing.load(path)
    assert len(ring.keys) == 2
    engine = make_engine(Settings())
    stored: list[str] = []
    with engine.connect() as conn:
        for name in encryption.ENCRYPTED_COLUMNS:
            table, _, column = name.partition(".")
            stored += conn.execute(sa.text(f"select {column} from {table}")).scalars().all()
    assert {encryption.key_id_of(v) for v in stored} == set(ring.keys)  # half moved, all known
    assert load_patient(engine, "p-cut") == record
    engine.dispose()

    monkeypatch.setattr(encryption, "reencrypt_column", real)
    resumed = runner.invoke(app, ["keys", "rotate", "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert encryption.KeyRing.load(path) == ring  # no third key
    engine = make_engine(Settings())
    with engine.connect() as conn:
        notes = conn.execute(sa.text("select data from patient_resources")).scalars().all()
    assert {encryption.key_id_of(v) for v in notes} == {ring.active}
    assert load_patient(engine, "p-cut") == record
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_keys_status_counts_values_by_key_and_retire_waits_until_none_is_left(
    runner: CliRunner, cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medlm.privacy.encryption import KeyRing
    from medlm.records import ClinicalNote, Patient, PatientRecord
    from medlm.settings import Settings
    from medlm.storage import migrate
    from medlm.storage.engine import make_engine
    from medlm.storage.repository import load_patient, save_records

    path = tmp_path / "keys.json"
    assert runner.invoke(app, ["keys", "generate", str(path)]).exit_code == 0
    monkeypatch.setenv("MEDLM_SECURITY__ENCRYPTION_KEY_FILE", str(path))
    record = PatientRecord(patient=Patient(id="p-st"), notes=[ClinicalNote(text="Pt Ida Brun")])
    engine = make_engine(Settings())
    migrate.upgrade(engine)
    save_records(engine, [record], source="st.json")
    engine.dispose()

    status = runner.invoke(app, ["keys", "status", "--json"])
    assert status.exit_code == 0, status.output
    body = json.loads(status.stdout)
    assert body["active"] == "k1" and body["missing"] == []
    assert {c["column"]: c["by_key"] for c in body["columns"]} == {
        "patients.data": {"k1": 1},
        "patient_resources.data": {"k1": 1},
        "ingest_runs.rejections": {"k1": 1},
    }
    refused = runner.invoke(app, ["keys", "retire", "k1"])
    assert refused.exit_code == 2 and "active key" in refused.output

    ring = KeyRing.load(path).with_new_active()  # a new active key, values not moved yet
    ring.save(path)
    busy = runner.invoke(app, ["keys", "retire", "k1"])
    assert busy.exit_code == 2 and "still under key 'k1'" in busy.output
    assert runner.invoke(app, ["keys", "rotate", "--resume"]).exit_code == 0
    retired = runner.invoke(app, ["keys", "retire", "k1"])
    assert retired.exit_code == 0, retired.output
    assert set(KeyRing.load(path).keys) == {ring.active}
    engine = make_engine(Settings())
    assert load_patient(engine, "p-st") == record
    engine.dispose()

    KeyRing.generate().save(path)  # a ring that lost the key in use
    lost = runner.invoke(app, ["keys", "status"])
    assert lost.exit_code == 1 and ring.active in lost.output
