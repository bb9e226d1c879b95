"""Durable ingest: stored outputs, idempotent re-sends, restore, and kill-and-resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from medlm.monitor.scenarios import make_scenarios
from medlm.monitor.store import DurableMonitor, stored_alerts, stored_sets, utc
from medlm.monitor.vitals import VitalSigns
from medlm.settings import Settings, StorageSettings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade


def _engine(settings: Settings) -> sa.Engine:
    engine = make_engine(settings)
    upgrade(engine)
    return engine


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_batch_is_stored_with_scores_alerts_and_quarantine(settings: Settings) -> None:
    engine = _engine(settings)
    durable = DurableMonitor(engine)
    scenario = make_scenarios(per_kind=1)[0]
    bad = VitalSigns(patient_id="q", time=datetime(2026, 1, 1, tzinfo=UTC), heart_rate=400)
    report = durable.ingest([*scenario.sets, bad])
    assert _count(engine, "vital_scores") == len(scenario.sets) + 1
    assert _count(engine, "vital_quarantine") == 1
    assert len(stored_alerts(engine)) == len(report.alerts) > 0
    assert stored_sets(engine, scenario.patient_id, limit=5) == scenario.sets[-5:]


def test_resent_batch_creates_no_duplicates(settings: Settings) -> None:
    engine = _engine(settings)
    sets = make_scenarios(per_kind=1)[0].sets
    DurableMonitor(engine).ingest(sets)
    counts = [_count(engine, t) for t in ("vital_readings", "vital_scores", "vital_alerts")]
    fresh = DurableMonitor(engine)  # as after a restart: no memory of what was sent
    fresh.ingest(sets)
    assert [_count(engine, t) for t in ("vital_readings", "vital_scores", "vital_alerts")] == counts


def test_restore_rebuilds_the_monitor_window(settings: Settings) -> None:
    engine = _engine(settings)
    sets = make_scenarios(per_kind=1)[0].sets
    DurableMonitor(engine).ingest(sets)
    fresh = DurableMonitor(engine)
    restored = fresh.restore(now=sets[-1].time)
    assert restored == sum(v.time >= sets[-1].time - fresh.monitor.window for v in sets)
    assert fresh.monitor.latest(sets[0].patient_id) is not None


CHILD = """
import json, sys
from medlm.monitor.store import DurableMonitor
from medlm.monitor.vitals import VitalSigns
from medlm.settings import Settings
from medlm.storage.engine import make_engine
engine = make_engine(Settings(data_dir=sys.argv[1]))
durable = DurableMonitor(engine)
lines = open(sys.argv[2]).read().splitlines()
for start in range(0, len(lines), 10):
    batch = [VitalSigns.model_validate_json(x) for x in lines[start:start + 10]]
    durable.ingest(batch, source="kill-test")
    sys.stdout.write(f"ack {start + len(batch)}\\n")
    sys.stdout.flush()
"""


def _stream(n_patients: int) -> list[VitalSigns]:
    base = make_scenarios(per_kind=1)
    out = []
    for i in range(n_patients):
        src = base[i % len(base)]
        out += [v.model_copy(update={"patient_id": f"{src.patient_id}-{i}"}) for v in src.sets]
    return sorted(out, key=lambda v: (v.time, v.patient_id))


def _keys(sets: list[VitalSigns]) -> set[tuple[str, datetime, str]]:
    return {(v.patient_id, v.time.astimezone(UTC), p) for v in sets for p in v.present()}


def _stored_keys(engine: sa.Engine) -> set[tuple[str, datetime, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT patient_id, time, parameter FROM vital_readings"))
        return {(pid, utc(datetime.fromisoformat(str(t))), p) for pid, t, p in rows}


@pytest.mark.slow
def test_killed_ingest_loses_nothing_acknowledged_and_resend_adds_no_duplicates(
    settings: Settings, tmp_path: Path
) -> None:
    engine = _engine(settings)
    sets = _stream(100)  # 4,800 sets, 480 batches
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(v.model_dump_json() for v in sets))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(settings.data_dir), str(feed)],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert child.stdout is not None
    acked = 0
    for line in child.stdout:
        acked = int(line.split()[1])
        if acked >= 200:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert 200 <= acked < len(sets), "the ingest must be killed mid-stream"
    assert _keys(sets[:acked]) <= _stored_keys(engine)  # everything acknowledged is on disk
    before = _stored_keys(engine)
    resent = sets[max(0, acked - 10) : acked + 20]  # the last acked batch and the lost ones
    resumed = DurableMonitor(engine)
    resumed.restore(now=resent[-1].time + timedelta(seconds=1))
    resumed.ingest(resent)
    assert _count(engine, "vital_readings") == len(before | _keys(resent))
    with engine.connect() as conn:
        dupes = conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT patient_id, time, kind, level FROM vital_alerts "
                "GROUP BY patient_id, time, kind, level HAVING count(*) > 1) d"
            )
        ).scalar_one()
    assert dupes == 0


@pytest.fixture
def postgres_engine() -> Iterator[sa.Engine]:
    """A migrated engine on a fresh schema of the PostgreSQL test server (MEDLM_TEST_POSTGRES_URL);
    skipped without one."""
    base = os.environ.get("MEDLM_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("MEDLM_TEST_POSTGRES_URL is not set; PostgreSQL monitor tests skipped")
    if base == "unavailable":
        pytest.fail("MEDLM_TEST_POSTGRES_URL=unavailable: the PostgreSQL server could not start")
    schema = f"medlm_monitor_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    engine = make_engine(Settings(storage=StorageSettings(database_url=url)))
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
def test_postgres_ingest_is_idempotent_and_reads_back(postgres_engine: sa.Engine) -> None:
    sets = make_scenarios(per_kind=1)[0].sets
    report = DurableMonitor(postgres_engine).ingest(sets)
    counts = [
        _count(postgres_engine, t) for t in ("vital_readings", "vital_scores", "vital_alerts")
    ]
    DurableMonitor(postgres_engine).ingest(sets)
    assert [
        _count(postgres_engine, t) for t in ("vital_readings", "vital_scores", "vital_alerts")
    ] == counts
    assert len(stored_alerts(postgres_engine)) == len(report.alerts)
    assert stored_sets(postgres_engine, sets[0].patient_id, limit=3) == sets[-3:]
