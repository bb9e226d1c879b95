"""`medlm audit verify` and `medlm audit checkpoint` against a real SQLite file: an edit
re-hashed without the key, a cut tail, a legitimate entry after a checkpoint, a malformed row
and an empty trail."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.privacy.audit import AuditEvent, AuditKeys, AuditLog
from medlm.privacy.audit_chain import stamp
from medlm.settings import load_settings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade


@pytest.fixture
def trail(cli_env: Path) -> Iterator[tuple[AuditLog, sa.Engine]]:
    """The CLI's database with the audit log keyed as the CLI keys it (the test key ring)."""
    settings = load_settings()
    engine = make_engine(settings)
    upgrade(engine)
    keys = AuditKeys.from_settings(settings.security)
    assert keys is not None
    yield AuditLog(engine, keys, checkpoint_every=1000), engine
    engine.dispose()


def _fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.record(
            AuditEvent(
                actor="dr-a",
                role="clinician",
                action="read",
                route="GET /v1/patients/{patient_id}/vitals",
                patient_id=f"p-{i}",
                outcome=200,
            )
        )


def _verify(runner: CliRunner, *args: str) -> tuple[int, dict[str, object], str]:
    result = runner.invoke(app, ["audit", "verify", "--json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout), result.output


def test_an_edited_row_rehashed_without_the_key_is_tampered_and_named(
    runner: CliRunner, trail: tuple[AuditLog, sa.Engine]
) -> None:
    log, engine = trail
    _fill(log, 5)
    # The writer changes entry 2's outcome and re-chains every entry from it with plain
    # SHA-256 (and, as a second try, HMAC under a guessed key), keeping the key id.
    for guess in (None, b"medlm"):
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_log SET outcome = 403 WHERE seq = 2"))
            prev = conn.execute(sa.text("SELECT entry_hash FROM audit_log WHERE seq = 1"))
            link = prev.scalar_one()
            for row in conn.execute(
                sa.text("SELECT * FROM audit_log WHERE seq >= 2 ORDER BY seq")
            ).all():
                time = stamp(datetime.fromisoformat(row.time))
                body = json.dumps(
                    {"seq": row.seq, "time": time, "key_id": row.key_id,
                     "actor": row.actor, "role": row.role, "action": row.action,
                     "route": row.route, "patient_id": row.patient_id, "outcome": row.outcome},
                    sort_keys=True, separators=(",", ":"),
                )  # fmt: skip
                message = f"{link}|{body}".encode()
                mac = (
                    hashlib.sha256(message).hexdigest()
                    if guess is None
                    else hmac.new(guess, message, hashlib.sha256).hexdigest()
                )
                conn.execute(
                    sa.text("UPDATE audit_log SET prev_hash = :p, entry_hash = :h WHERE seq = :s"),
                    {"p": link, "h": mac, "s": row.seq},
                )
                link = mac
            conn.execute(sa.text("UPDATE audit_head SET last_hash = :h"), {"h": link})
        code, report, _ = _verify(runner)
        assert code == 1 and report["status"] == "tampered"
        assert report["first_bad"] == {
            "kind": "mac_mismatch",
            "seq": 2,
            "checkpoint": None,
            "detail": "entry 2: MAC mismatch (edited or forged)",
        }
    plain = runner.invoke(app, ["audit", "verify"])
    assert plain.exit_code == 1 and "TAMPERED" in plain.output and "entry 2" in plain.output


def test_deleting_the_last_three_entries_is_tampered_through_the_checkpoint(
    runner: CliRunner, trail: tuple[AuditLog, sa.Engine]
) -> None:
    log, engine = trail
    _fill(log, 6)
    assert runner.invoke(app, ["audit", "checkpoint"]).exit_code == 0
    with engine.begin() as conn:  # and the head row put back in line with what is left
        conn.execute(sa.text("DELETE FROM audit_log WHERE seq > 3"))
        conn.execute(
            sa.text(
                "UPDATE audit_head SET entries = 3, last_seq = 3, "
                "last_hash = (SELECT entry_hash FROM audit_log WHERE seq = 3)"
            )
        )
    code, report, _ = _verify(runner)
    assert code == 1 and report["status"] == "tampered"
    first = report["first_bad"]
    assert isinstance(first, dict) and first["kind"] == "missing_entries" and first["seq"] == 6


def test_one_legitimate_entry_after_a_checkpoint_is_intact(
    runner: CliRunner, trail: tuple[AuditLog, sa.Engine]
) -> None:
    log, _ = trail
    _fill(log, 3)
    checkpoint = runner.invoke(app, ["audit", "checkpoint", "--json"])
    assert checkpoint.exit_code == 0
    head = json.loads(checkpoint.stdout)["last_hash"]
    _fill(log, 1)
    code, report, _ = _verify(runner, "--head", head)  # an earlier head is still in the chain
    assert code == 0 and report["status"] == "intact" and report["entries"] == 4


def test_a_malformed_row_is_tampered_without_a_traceback(
    runner: CliRunner, trail: tuple[AuditLog, sa.Engine]
) -> None:
    log, engine = trail
    _fill(log, 3)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE audit_log SET time = 'yesterday', outcome = 'ok' WHERE seq = 2")
        )
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "entry 2: malformed row" in result.output and "Traceback" not in result.output
    assert "TAMPERED" in result.output


def test_an_empty_trail_is_empty_and_exits_0_only_without_a_checkpoint(
    runner: CliRunner, trail: tuple[AuditLog, sa.Engine]
) -> None:
    log, engine = trail
    empty = runner.invoke(app, ["audit", "verify"])
    assert empty.exit_code == 0 and "audit trail empty" in empty.output
    refused = runner.invoke(app, ["audit", "checkpoint"])
    assert refused.exit_code != 0 and "no entries" in refused.output
    _fill(log, 2)
    log.checkpoint()
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log"))
        conn.execute(
            sa.text("UPDATE audit_head SET entries = 0, last_seq = 0, last_hash = :g"),
            {"g": "0" * 64},
        )
    code, report, _ = _verify(runner)
    assert code == 1 and report["status"] == "tampered" and report["entries"] == 0


def test_without_a_key_the_trail_is_reported_unkeyed(
    runner: CliRunner, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MEDLM_SECURITY__ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("MEDLM_SECURITY__ENCRYPTION_KEY_FILE", raising=False)
    settings = load_settings()
    engine = make_engine(settings)
    upgrade(engine)
    _fill(AuditLog(engine), 2)
    engine.dispose()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0
    assert "unkeyed: not tamper-evident against database writers" in result.output


def test_a_key_that_signs_audit_entries_is_not_retired(
    runner: CliRunner, cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medlm.privacy.encryption import KeyRing

    path = tmp_path / "keys.json"
    KeyRing.generate().save(path)
    monkeypatch.delenv("MEDLM_SECURITY__ENCRYPTION_KEYS", raising=False)
    monkeypatch.setenv("MEDLM_SECURITY__ENCRYPTION_KEY_FILE", str(path))
    settings = load_settings()
    engine = make_engine(settings)
    upgrade(engine)
    keys = AuditKeys.from_settings(settings.security)
    assert keys is not None and keys.active == "k1"
    _fill(AuditLog(engine, keys), 2)
    engine.dispose()
    KeyRing.load(path).with_new_active().save(path)
    refused = runner.invoke(app, ["keys", "retire", "k1"])
    assert refused.exit_code != 0 and "audit entries and checkpoints" in refused.output
    assert "k1" in KeyRing.load(path).keys
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0  # old entries verify with k1
