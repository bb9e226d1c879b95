"""Migration 0006 on a database that already holds unkeyed (SHA-256) audit entries: they are kept
as legacy entries, the head row points at their end, and the keyed chain continues from them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from medlm.privacy.audit import GENESIS, AuditEvent, AuditKeys, AuditLog
from medlm.privacy.audit_chain import entry_hash
from medlm.privacy.encryption import KeyRing
from medlm.settings import Settings, StorageSettings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import downgrade, upgrade

POSTGRES_ENV = "MEDLM_TEST_POSTGRES_URL"


def _legacy_event(i: int) -> AuditEvent:
    return AuditEvent(
        actor="old", role="admin", action="read", route="GET /v1/x", patient_id=f"p{i}", outcome=200
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def legacy_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A database at revision 0005 with three entries chained the way 0005 chained them."""
    if request.param == "sqlite":
        settings = Settings(data_dir=tmp_path / "legacy-data")
    else:
        url = request.getfixturevalue("postgres_schema_url")
        settings = Settings(data_dir=tmp_path / "pg", storage=StorageSettings(database_url=url))
    eng = make_engine(settings)
    upgrade(eng, "0005")
    prev = GENESIS
    with eng.begin() as conn:
        for i in range(3):
            time = datetime(2026, 11, 30, 12, i, tzinfo=UTC)
            digest = entry_hash(prev, time, _legacy_event(i))
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (time, actor, role, action, route, patient_id, "
                    "outcome, prev_hash, entry_hash) VALUES (:t, 'old', 'admin', 'read', "
                    "'GET /v1/x', :p, 200, :prev, :h)"
                ),
                {
                    "t": time.strftime("%Y-%m-%d %H:%M:%S.%f"),
                    "p": f"p{i}",
                    "prev": prev,
                    "h": digest,
                },
            )
            prev = digest
    yield eng
    eng.dispose()


def test_legacy_entries_verify_as_unkeyed_after_the_upgrade(legacy_engine: sa.Engine) -> None:
    upgrade(legacy_engine)
    keys = AuditKeys.from_ring(KeyRing.generate())
    result = AuditLog(legacy_engine, keys).verify()
    assert result.status == "unkeyed" and result.entries == 3 and result.unkeyed_entries == 3


def test_the_keyed_chain_continues_from_the_legacy_entries_and_covers_them(
    legacy_engine: sa.Engine,
) -> None:
    upgrade(legacy_engine)
    log = AuditLog(legacy_engine, AuditKeys.from_ring(KeyRing.generate()))
    log.record(_legacy_event(9))
    result = log.verify()
    assert result.status == "intact" and result.keyed_entries == 1 and result.checkpoints == 1
    assert "first 3 entries are unkeyed" in result.notes[0]
    # Editing a legacy entry and re-hashing the legacy prefix breaks the first keyed entry's link.
    prev = GENESIS
    with legacy_engine.begin() as conn:
        legacy = conn.execute(sa.text("SELECT * FROM audit_log WHERE seq <= 3 ORDER BY seq"))
        for row in legacy.all():
            ev = _legacy_event(int(row.patient_id[1:]))
            ev.outcome = 403 if row.seq == 2 else 200
            time = row.time if isinstance(row.time, datetime) else datetime.fromisoformat(row.time)
            digest = entry_hash(prev, time, ev)
            conn.execute(
                sa.text(
                    "UPDATE audit_log SET outcome=:o, prev_hash=:p, entry_hash=:h WHERE seq=:s"
                ),
                {"o": ev.outcome, "p": prev, "h": digest, "s": row.seq},
            )
            prev = digest
    tampered = log.verify()
    assert tampered.status == "tampered"
    assert tampered.first_bad is not None and tampered.first_bad.seq == 4


def test_the_upgrade_round_trips_through_a_downgrade(legacy_engine: sa.Engine) -> None:
    upgrade(legacy_engine)
    downgrade(legacy_engine, "0005")
    assert "audit_head" not in sa.inspect(legacy_engine).get_table_names()
    upgrade(legacy_engine)
    assert AuditLog(legacy_engine).verify().status == "unkeyed"
