"""Concurrent writers keep the audit chain linear: threads and separate processes, on SQLite
always and on PostgreSQL when MEDLM_TEST_POSTGRES_URL is set (each test in its own schema,
dropped afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from medlm.privacy.audit import AuditEvent, AuditKeys, AuditLog
from medlm.privacy.encryption import KeyRing
from medlm.settings import Settings, StorageSettings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade
from medlm.storage.tables.privacy import AuditEntry

POSTGRES_ENV = "MEDLM_TEST_POSTGRES_URL"
WRITERS, PER_WRITER = 8, 15


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        settings = Settings(data_dir=tmp_path / "audit-data")
    else:
        url = request.getfixturevalue("postgres_schema_url")
        settings = Settings(data_dir=tmp_path / "pg", storage=StorageSettings(database_url=url))
    eng = make_engine(settings)
    upgrade(eng)
    yield eng
    eng.dispose()


def _writer(log: AuditLog, writer: int) -> None:
    for i in range(PER_WRITER):
        log.record(
            AuditEvent(
                actor=f"writer-{writer}",
                role="clinician",
                action="write",
                route="POST /v1/vitals",
                patient_id=f"p-{writer}-{i}",
                outcome=200,
            )
        )


def test_concurrent_writers_append_one_linear_verifiable_chain(engine: sa.Engine) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(KeyRing.generate()), checkpoint_every=7)
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(lambda w: _writer(log, w), range(WRITERS)))
    result = log.verify()
    assert result.status == "intact", result.problems
    assert result.entries == WRITERS * PER_WRITER
    with engine.connect() as conn:
        seqs = conn.execute(sa.select(AuditEntry.seq).order_by(AuditEntry.seq)).scalars().all()
    assert seqs == list(range(1, WRITERS * PER_WRITER + 1))


def test_writers_in_their_own_transactions_interleave_with_the_callers_actions(
    engine: sa.Engine,
) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(KeyRing.generate()))

    def action_with_audit(writer: int) -> None:
        for i in range(PER_WRITER):
            with engine.begin() as conn:
                log.record(
                    AuditEvent(
                        actor=f"w{writer}", role="admin", action="read", route="GET /v1", outcome=i
                    ),
                    connection=conn,
                )

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(action_with_audit, range(4)))
    result = log.verify()
    assert result.status == "intact" and result.entries == 4 * PER_WRITER


_PROCESS_WRITER = """
import sys
import sqlalchemy as sa
from medlm.privacy.audit import AuditEvent, AuditKeys, AuditLog
url, key, name, count = sys.argv[1], bytes.fromhex(sys.argv[2]), sys.argv[3], int(sys.argv[4])
engine = sa.create_engine(url)
log = AuditLog(engine, AuditKeys({"k1": key}, active="k1"))
for i in range(count):
    log.record(AuditEvent(actor=name, role="admin", action="write", route="POST /v1", outcome=i))
"""


@pytest.mark.slow
def test_writer_processes_append_one_linear_verifiable_chain(engine: sa.Engine) -> None:
    import subprocess
    import sys

    key = bytes(range(32))
    url = engine.url.render_as_string(hide_password=False)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _PROCESS_WRITER, url, key.hex(), f"proc-{p}", str(PER_WRITER)]
        )
        for p in range(3)
    ]
    assert [proc.wait(timeout=60) for proc in procs] == [0, 0, 0]
    result = AuditLog(engine, AuditKeys({"k1": key}, active="k1")).verify()
    assert result.status == "intact", result.problems
    assert result.entries == 3 * PER_WRITER


def test_verifying_while_writers_append_never_reports_tampering(engine: sa.Engine) -> None:
    log = AuditLog(engine, AuditKeys.from_ring(KeyRing.generate()), checkpoint_every=3)
    _writer(log, 0)
    with ThreadPoolExecutor(max_workers=3) as pool:
        writers = [pool.submit(_writer, log, w) for w in (1, 2)]
        statuses = set()
        while not all(w.done() for w in writers):
            statuses.add(log.verify().status)
        for w in writers:
            w.result()
    assert statuses <= {"intact"}
    assert log.verify().entries == 3 * PER_WRITER
