"""Durable glucose ingest: one transaction per batch, idempotent re-sends, shared alert table,
restore after a restart, and kill-and-resume."""

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

from medlm.errors import StorageError
from medlm.monitor.alerts import VitalAlert
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.monitor.glucose.store import DurableGlucose, stored_glucose
from medlm.monitor.scenarios import make_scenarios
from medlm.monitor.store import DurableMonitor, alert_signal, stored_alerts
from medlm.settings import Settings, StorageSettings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade

T0 = datetime(2026, 1, 1, 8, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)


class StubMonitor:
    """Stands in for the glucose monitor: records what it saw, alerts on readings it is told to
    (a test double, not a clinical rule)."""

    def __init__(self, alert_below: float = 0.0) -> None:
        self.alert_below = alert_below
        self.seen: list[GlucoseReading] = []
        self.acknowledged: list[str] = []

    def acknowledge(self, patient_id: str) -> None:
        self.acknowledged.append(patient_id)

    def process(self, reading: GlucoseReading, now: datetime | None = None) -> list[VitalAlert]:
        self.seen.append(reading)
        if reading.mg_dl >= self.alert_below:
            return []
        return [
            VitalAlert(
                patient_id=reading.patient_id,
                time=reading.time,
                signal="glucose",
                kind="raised",
                level=2,
                previous_level=0,
                response=None,
                reason=f"glucose {reading.mg_dl:g} mg/dL ({reading.source})",
            )
        ]


def _engine(settings: Settings) -> sa.Engine:
    engine = make_engine(settings)
    upgrade(engine)
    return engine


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def trace(n: int = 12, patient: str = "p1", mg_dl: float = 110.0) -> list[GlucoseReading]:
    return [
        GlucoseReading(
            patient_id=patient,
            time=T0 + timedelta(minutes=5 * i),
            mg_dl=mg_dl - i,
            source="cgm",
            reported=f"{mg_dl - i:g} mg/dL",
            origin=f"line{i + 1}",
        )
        for i in range(n)
    ]


def test_a_batch_is_stored_and_read_back_oldest_first_with_its_source(settings: Settings) -> None:
    engine = _engine(settings)
    readings = trace()
    result = DurableGlucose(engine).ingest(list(reversed(readings)), now=NOW)
    assert result.readings == readings and result.duplicates == 0 and result.alerts == []
    assert stored_glucose(engine, "p1") == readings
    window = stored_glucose(engine, "p1", start=readings[2].time, end=readings[5].time)
    assert window == readings[2:5]
    assert stored_glucose(engine, "p2") == []


def test_resending_a_batch_stores_no_duplicates_and_raises_no_second_alert(
    settings: Settings,
) -> None:
    engine = _engine(settings)
    readings = trace(mg_dl=60)
    first = DurableGlucose(engine, StubMonitor(alert_below=55)).ingest(readings, now=NOW)
    assert len(first.alerts) > 0
    counts = [_count(engine, t) for t in ("glucose_readings", "vital_alerts")]
    restarted = StubMonitor(alert_below=55)  # as after a restart: no memory of the batch
    again = DurableGlucose(engine, restarted).ingest(readings, now=NOW)
    assert [_count(engine, t) for t in ("glucose_readings", "vital_alerts")] == counts
    assert again.readings == [] and again.duplicates == len(readings) and again.alerts == []
    assert restarted.seen == []


def test_the_same_time_from_two_kinds_of_sample_is_two_readings(settings: Settings) -> None:
    engine = _engine(settings)
    cgm = trace(1)[0]
    meter = cgm.model_copy(update={"source": "capillary", "mg_dl": 120.0})
    result = DurableGlucose(engine).ingest([cgm, meter, cgm], now=NOW)
    assert len(result.readings) == 2 and result.duplicates == 1
    assert {r.source for r in stored_glucose(engine, "p1")} == {"cgm", "capillary"}


def test_glucose_alerts_share_the_alert_table_with_news2_and_keep_their_signal(
    settings: Settings,
) -> None:
    engine = _engine(settings)
    scenario = make_scenarios(per_kind=1)[0]
    vitals = DurableMonitor(engine).ingest(scenario.sets)
    assert vitals.alerts
    news2 = vitals.alerts[0]
    same = GlucoseReading(patient_id=news2.patient_id, time=news2.time, mg_dl=40, source="cgm")
    glucose = DurableGlucose(engine, StubMonitor(alert_below=55)).ingest([same], now=news2.time)
    rows = stored_alerts(engine)
    assert len(rows) == len(vitals.alerts) + len(glucose.alerts)
    assert [a for _, a in stored_alerts(engine, signal="glucose")] == glucose.alerts
    assert {a.signal for _, a in rows} == {"news2", "glucose"}


def test_a_news2_and_a_glucose_alert_with_the_same_key_are_both_stored(
    settings: Settings,
) -> None:
    engine = _engine(settings)
    reading = trace(1, mg_dl=40)[0]
    stub = StubMonitor(alert_below=55)
    (glucose_alert,) = stub.process(reading)
    news2_alert = glucose_alert.model_copy(update={"signal": "news2"})
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO vital_alerts (patient_id, time, signal, kind, level, previous_level,"
                " reason, notify, created_at) VALUES (:p, :t, 'news2', :k, :l, 0, 'x', 1, :t)"
            ),
            {"p": news2_alert.patient_id, "t": reading.time, "k": "raised", "l": 2},
        )
    DurableGlucose(engine, StubMonitor(alert_below=55)).ingest([reading], now=NOW)
    assert sorted(a.signal for _, a in stored_alerts(engine)) == ["glucose", "news2"]


def test_a_future_reading_is_rejected_quarantined_and_not_stored(settings: Settings) -> None:
    engine = _engine(settings)
    ahead = trace(1)[0].model_copy(update={"time": NOW + timedelta(hours=1)})
    monitor = StubMonitor()
    result = DurableGlucose(engine, monitor).ingest([ahead], now=NOW)
    assert result.readings == [] and result.duplicates == 0
    (rejection,) = result.rejected
    assert rejection.field == "time" and "clock-skew" in rejection.reason
    assert _count(engine, "glucose_readings") == 0 and _count(engine, "vital_quarantine") == 1
    assert monitor.seen == []


def test_restore_replays_the_window_in_time_order_and_never_a_future_reading(
    settings: Settings,
) -> None:
    engine = _engine(settings)
    readings = trace(12)
    DurableGlucose(engine).ingest(readings, now=NOW)
    stored_ahead = trace(1, patient="p2")[0].model_copy(update={"time": NOW + timedelta(days=1)})
    DurableGlucose(engine).ingest([stored_ahead], now=stored_ahead.time)  # a clock set wrong
    monitor = StubMonitor()
    durable = DurableGlucose(engine, monitor, window=timedelta(minutes=30))
    now = readings[-1].time
    assert durable.restore(now=now) == 7  # readings within 30 minutes up to now, inclusive
    assert monitor.seen == [r for r in readings if r.time >= now - timedelta(minutes=30)]


def test_the_commit_hook_runs_inside_the_batch_transaction(settings: Settings) -> None:
    engine = _engine(settings)
    seen: list[int] = []

    def hook(conn: sa.Connection) -> None:
        assert conn.in_transaction()
        seen.append(
            int(conn.execute(sa.text("SELECT count(*) FROM glucose_readings")).scalar_one())
        )

    DurableGlucose(engine).ingest(trace(3), on_commit=hook, now=NOW)
    assert seen == [3]


def test_a_failing_commit_hook_rolls_the_whole_batch_back(settings: Settings) -> None:
    engine = _engine(settings)

    def hook(conn: sa.Connection) -> None:
        raise RuntimeError("audit write failed")

    with pytest.raises(RuntimeError):
        DurableGlucose(engine, StubMonitor(alert_below=200)).ingest(
            trace(3), on_commit=hook, now=NOW
        )
    assert _count(engine, "glucose_readings") == 0 and _count(engine, "vital_alerts") == 0


def test_the_vital_sign_commit_hook_rolls_back_with_its_batch(settings: Settings) -> None:
    engine = _engine(settings)
    sets = make_scenarios(per_kind=1)[0].sets

    def hook(conn: sa.Connection) -> None:
        assert int(conn.execute(sa.text("SELECT count(*) FROM vital_scores")).scalar_one()) > 0
        raise RuntimeError("audit write failed")

    with pytest.raises(RuntimeError):
        DurableMonitor(engine).ingest(sets, on_commit=hook)
    assert _count(engine, "vital_scores") == 0


def test_a_storage_failure_is_a_storage_error(settings: Settings) -> None:
    engine = _engine(settings)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE glucose_readings"))
    with pytest.raises(StorageError, match="glucose"):
        DurableGlucose(engine).ingest(trace(2), now=NOW)


CHILD = """
import sys
from datetime import datetime
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.monitor.glucose.store import DurableGlucose
from medlm.settings import Settings
from medlm.storage.engine import make_engine
engine = make_engine(Settings(data_dir=sys.argv[1]))
durable = DurableGlucose(engine)
now = datetime.fromisoformat(sys.argv[3])
lines = open(sys.argv[2]).read().splitlines()
for start in range(0, len(lines), 10):
    batch = [GlucoseReading.model_validate_json(x) for x in lines[start:start + 10]]
    durable.ingest(batch, source="kill-test", now=now)
    sys.stdout.write(f"ack {start + len(batch)}\\n")
    sys.stdout.flush()
"""


@pytest.mark.slow
def test_killed_ingest_loses_nothing_acknowledged_and_resend_adds_no_duplicates(
    settings: Settings, tmp_path: Path
) -> None:
    engine = _engine(settings)
    readings = [r for p in range(20) for r in trace(200, patient=f"p{p}", mg_dl=300)]
    readings.sort(key=lambda r: (r.time, r.patient_id))  # 4,000 readings, 400 batches
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(r.model_dump_json() for r in readings))
    now = readings[-1].time.isoformat()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(settings.data_dir), str(feed), now],
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
    assert 200 <= acked < len(readings), "the ingest must be killed mid-stream"
    stored = {
        (r.patient_id, r.time, r.source) for p in range(20) for r in stored_glucose(engine, f"p{p}")
    }
    assert {(r.patient_id, r.time, r.source) for r in readings[:acked]} <= stored
    resent = readings[max(0, acked - 10) : acked + 20]  # the last acked batch and lost ones
    resumed = DurableGlucose(engine)
    resumed.restore(now=resent[-1].time)
    resumed.ingest(resent, now=resent[-1].time)
    expected = stored | {(r.patient_id, r.time, r.source) for r in resent}
    assert _count(engine, "glucose_readings") == len(expected)


@pytest.fixture
def postgres_engine() -> Iterator[sa.Engine]:
    """A migrated engine on a fresh schema of the PostgreSQL test server (MEDLM_TEST_POSTGRES_URL);
    skipped without one."""
    base = os.environ.get("MEDLM_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("MEDLM_TEST_POSTGRES_URL is not set; PostgreSQL glucose tests skipped")
    if base == "unavailable":
        pytest.fail("MEDLM_TEST_POSTGRES_URL=unavailable: the PostgreSQL server could not start")
    schema = f"medlm_glucose_{uuid.uuid4().hex[:12]}"
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
def test_postgres_ingest_is_idempotent_and_keeps_alert_signals_apart(
    postgres_engine: sa.Engine,
) -> None:
    readings = trace(mg_dl=60)
    first = DurableGlucose(postgres_engine, StubMonitor(alert_below=55)).ingest(readings, now=NOW)
    again = DurableGlucose(postgres_engine, StubMonitor(alert_below=55)).ingest(readings, now=NOW)
    assert again.duplicates == len(readings) and again.alerts == []
    assert stored_glucose(postgres_engine, "p1") == readings
    news2 = first.alerts[0].model_copy(update={"signal": "news2"})
    with postgres_engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO vital_alerts (patient_id, time, signal, kind, level, previous_level,"
                " reason, notify, created_at) VALUES (:p, :t, 'news2', :k, :l, 0, 'x', true, :t)"
            ),
            {"p": news2.patient_id, "t": news2.time, "k": news2.kind, "l": news2.level},
        )
    signals = [a.signal for _, a in stored_alerts(postgres_engine)]
    assert signals.count("news2") == 1 and signals.count("glucose") == len(first.alerts)


def test_a_stored_alert_names_its_signal_for_acknowledgement(settings: Settings) -> None:
    engine = _engine(settings)
    DurableGlucose(engine, StubMonitor(alert_below=55)).ingest(trace(1, mg_dl=40), now=NOW)
    ((alert_id, _),) = stored_alerts(engine)
    assert alert_signal(engine, alert_id) == "glucose"
    assert alert_signal(engine, alert_id + 1) is None


def test_acknowledging_reaches_the_glucose_monitor(settings: Settings) -> None:
    monitor = StubMonitor()
    DurableGlucose(_engine(settings), monitor).acknowledge("p1")
    assert monitor.acknowledged == ["p1"]
