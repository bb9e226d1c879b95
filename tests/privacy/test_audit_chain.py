"""The keyed audit chain: HMAC entries with key ids, rotation, checkpoints, the verifier's
findings (edits, deletions, malformed rows, downgrades) and same-transaction writes."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from medlm.errors import InputError, StorageError
from medlm.privacy.audit import AuditEvent, AuditKeys, AuditLog, derive_audit_key
from medlm.privacy.audit_chain import entry_mac
from medlm.privacy.encryption import KeyRing
from medlm.settings import SecuritySettings, Settings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade
from medlm.storage.tables.privacy import AuditCheckpoint, AuditEntry, AuditHead


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    eng = make_engine(Settings(data_dir=tmp_path / "audit-data"))
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing.generate()


def event(i: int = 0, outcome: int = 200) -> AuditEvent:
    return AuditEvent(
        actor="clin-1",
        role="clinician",
        action="read",
        route="GET /v1/patients/{patient_id}/vitals",
        patient_id=f"p-{i}",
        outcome=outcome,
    )


def fill(log: AuditLog, n: int) -> list[str]:
    return [log.record(event(i)) for i in range(n)]


def rows(engine: sa.Engine) -> list[sa.Row[tuple[AuditEntry]]]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(AuditEntry.__table__).order_by(AuditEntry.seq)).all())


def test_audit_keys_are_derived_per_key_id_and_differ_from_the_encryption_keys(
    ring: KeyRing,
) -> None:
    keys = AuditKeys.from_ring(ring)
    assert keys.active == ring.active
    assert keys.keys["k1"] == derive_audit_key(ring.keys["k1"]) != ring.keys["k1"]
    assert len(keys.keys["k1"]) == 32


def test_no_configured_key_gives_no_audit_keys_and_a_configured_one_gives_its_ring() -> None:
    assert AuditKeys.from_settings(SecuritySettings()) is None
    raw = base64.b64encode(bytes(range(32))).decode()
    keys = AuditKeys.from_settings(SecuritySettings(encryption_keys=f"a1:{raw}"))
    assert keys is not None and keys.active == "a1"


def test_keyed_entries_verify_intact_and_name_their_key_id(
    engine: sa.Engine, ring: KeyRing
) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(ring))
    macs = fill(log, 5)
    result = log.verify()
    assert result.status == "intact" and result.ok and result.entries == 5
    assert result.keyed_entries == 5 and result.key_ids == ["k1"]
    assert result.head == macs[-1]
    assert {r.key_id for r in rows(engine)} == {"k1"}


def test_an_edit_rehashed_without_the_key_is_named_as_the_first_bad_entry(
    engine: sa.Engine, ring: KeyRing
) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(ring))
    fill(log, 6)
    _rehash_from(engine, seq=3, outcome=500, key=b"attacker-guess")
    result = log.verify()
    assert result.status == "tampered"
    assert result.first_bad is not None
    assert (result.first_bad.seq, result.first_bad.kind) == (3, "mac_mismatch")


def _rehash_from(engine: sa.Engine, seq: int, outcome: int, key: bytes) -> None:
    """What a database writer without the key can do: edit entry `seq` and recompute every
    MAC from it on, keeping the chain's links consistent."""
    with engine.begin() as conn:
        conn.execute(sa.update(AuditEntry).where(AuditEntry.seq == seq).values(outcome=outcome))
        prev = conn.execute(
            sa.select(AuditEntry.entry_hash).where(AuditEntry.seq == seq - 1)
        ).scalar_one()
        for row in conn.execute(
            sa.select(AuditEntry.__table__).where(AuditEntry.seq >= seq).order_by(AuditEntry.seq)
        ).all():
            fields = ("actor", "role", "action", "route", "patient_id", "outcome")
            ev = AuditEvent(**{f: getattr(row, f) for f in fields})
            mac = entry_mac(key, prev, row.seq, row.time, row.key_id, ev)
            conn.execute(
                sa.update(AuditEntry)
                .where(AuditEntry.seq == row.seq)
                .values(prev_hash=prev, entry_hash=mac)
            )
            prev = mac
        conn.execute(sa.update(AuditHead).values(last_hash=prev))


def test_rotation_signs_new_entries_with_the_new_key_and_old_ones_verify_with_theirs(
    engine: sa.Engine, ring: KeyRing
) -> None:
    fill(AuditLog(engine, AuditKeys.from_ring(ring)), 2)
    rotated = ring.with_new_active()
    log = AuditLog(engine, AuditKeys.from_ring(rotated))
    fill(log, 2)
    assert [r.key_id for r in rows(engine)] == ["k1", "k1", rotated.active, rotated.active]
    result = log.verify()
    assert result.status == "intact" and result.key_ids == sorted(["k1", rotated.active])
    without_k1 = KeyRing({rotated.active: rotated.keys[rotated.active]}, active=rotated.active)
    lost = AuditLog(engine, AuditKeys.from_ring(without_k1)).verify()
    assert lost.first_bad is not None
    assert (lost.first_bad.seq, lost.first_bad.kind) == (1, "unknown_key_id")


def test_checkpoints_are_written_at_the_first_keyed_entry_and_every_n_entries(
    engine: sa.Engine, ring: KeyRing
) -> None:
    fill(AuditLog(engine, AuditKeys.from_ring(ring), checkpoint_every=4), 9)
    with engine.connect() as conn:
        counts = conn.execute(
            sa.select(AuditCheckpoint.entries).order_by(AuditCheckpoint.id)
        ).scalars()
        assert list(counts) == [1, 4, 8]


def test_deleting_the_last_entries_is_detected_through_the_checkpoint_even_with_the_head_fixed(
    engine: sa.Engine, ring: KeyRing
) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(ring), checkpoint_every=1000)
    fill(log, 6)
    log.checkpoint()
    with engine.begin() as conn:
        conn.execute(sa.delete(AuditEntry).where(AuditEntry.seq > 3))
        last = conn.execute(sa.select(AuditEntry.entry_hash).where(AuditEntry.seq == 3))
        conn.execute(sa.update(AuditHead).values(entries=3, last_seq=3, last_hash=last.scalar()))
    result = log.verify()
    assert result.status == "tampered"
    assert result.first_bad is not None
    assert (result.first_bad.kind, result.first_bad.seq) == ("missing_entries", 6)


def test_a_legitimate_entry_after_a_checkpoint_leaves_the_trail_intact(
    engine: sa.Engine, ring: KeyRing
) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(ring))
    fill(log, 3)
    old_head = log.checkpoint().last_hash
    log.record(event(9))
    assert log.verify().status == "intact"
    assert log.verify(expected_head=old_head).status == "intact"  # an earlier head stays valid
    assert log.verify(expected_head="f" * 64).status == "tampered"


def test_an_empty_trail_is_empty_and_an_emptied_one_is_tampered(
    engine: sa.Engine, ring: KeyRing
) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(ring))
    assert log.verify().status == "empty" and log.verify().ok
    with pytest.raises(InputError, match="no entries"):
        log.checkpoint()
    fill(log, 2)
    with engine.begin() as conn:
        conn.execute(sa.delete(AuditEntry))
        conn.execute(sa.update(AuditHead).values(entries=0, last_seq=0, last_hash="0" * 64))
    assert log.verify().status == "tampered"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("outcome", "two hundred"),
        ("outcome", 2.5),
        ("time", "not a time"),
        ("time", 12345),
        ("actor", b"\x00\xff"),
    ],
)
def test_a_malformed_row_is_reported_by_its_seq_without_an_exception(
    engine: sa.Engine, ring: KeyRing, column: str, value: object
) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(ring))
    fill(log, 3)
    with engine.begin() as conn:  # SQLite keeps a value of another type as it is given
        conn.execute(sa.text(f"UPDATE audit_log SET {column} = :v WHERE seq = 2"), {"v": value})
    result = log.verify()
    assert result.status == "tampered"
    assert result.first_bad is not None
    assert (result.first_bad.seq, result.first_bad.kind) == (2, "malformed_row")


def test_an_unkeyed_trail_is_reported_as_not_tamper_evident(engine: sa.Engine) -> None:
    log = AuditLog(engine)
    fill(log, 3)
    result = log.verify()
    assert result.status == "unkeyed" and result.ok
    assert "not tamper-evident against database writers" in result.notes[0]
    assert {r.key_id for r in rows(engine)} == {None}


def test_an_unkeyed_entry_after_keyed_ones_is_a_downgrade(engine: sa.Engine, ring: KeyRing) -> None:
    keys = AuditKeys.from_ring(ring)
    fill(AuditLog(engine, keys), 2)
    AuditLog(engine).record(event(5))
    result = AuditLog(engine, keys).verify()
    assert result.first_bad is not None
    assert (result.first_bad.seq, result.first_bad.kind) == (3, "downgrade")


def test_an_entry_recorded_in_the_callers_transaction_rolls_back_with_it(
    engine: sa.Engine, ring: KeyRing
) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(ring))
    log.record(event(1))

    class ActionFailed(Exception):
        pass

    with pytest.raises(ActionFailed), engine.begin() as conn:
        log.record(event(2), connection=conn)
        raise ActionFailed
    with engine.begin() as conn:
        log.record(event(3), connection=conn)
    assert [r.patient_id for r in rows(engine)] == ["p-1", "p-3"]
    assert log.verify().status == "intact"


def test_text_that_cannot_be_stored_as_is_is_made_storable() -> None:
    ev = AuditEvent(actor="a\ud800", role="admin", action="read", route="/" * 400, outcome=200)
    assert ev.actor == "a?" and len(ev.route) == 256 and ev.route.endswith("...")


def test_a_missing_head_row_refuses_to_append(engine: sa.Engine, ring: KeyRing) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(ring))
    with engine.begin() as conn:
        conn.execute(sa.delete(AuditHead))
    with pytest.raises(StorageError, match="head row is missing"):
        log.record(event())


def test_deleting_the_newest_entry_past_the_last_checkpoint_is_caught_by_the_head_row(
    engine: sa.Engine, ring: KeyRing
) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(ring), checkpoint_every=1000)
    fill(log, 4)
    with engine.begin() as conn:
        conn.execute(sa.delete(AuditEntry).where(AuditEntry.seq == 4))
    result = log.verify()
    assert result.first_bad is not None
    assert (result.first_bad.kind, result.first_bad.seq) == ("head_mismatch", 4)
