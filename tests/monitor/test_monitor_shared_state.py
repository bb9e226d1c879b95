"""One monitor state across processes: a stream split between two durable monitors on one
database raises exactly the alerts one monitor raises, an acknowledgement taken by either holds
in both, and a monitor reloads nothing while no other process wrote."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from medlm.monitor.alerts import AlertPolicy, VitalAlert
from medlm.monitor.glucose.alerts import GlucoseMonitor
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.monitor.glucose.store import DurableGlucose
from medlm.monitor.scenarios import make_scenarios
from medlm.monitor.store import DurableMonitor, acknowledge_alert, stored_alerts
from medlm.monitor.vitals import VitalSigns
from medlm.settings import Settings, StorageSettings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade

T0 = datetime(2026, 1, 1, 8, tzinfo=UTC)


def _engine(settings: Settings, name: str) -> sa.Engine:
    engine = make_engine(settings.model_copy(update={"data_dir": settings.data_dir / name}))
    upgrade(engine)
    return engine


def _stream(per_kind: int = 1) -> list[VitalSigns]:
    """Every synthetic scenario's sets in time order (SYNTHETIC data)."""
    sets = [v for s in make_scenarios(per_kind=per_kind) for v in s.sets]
    return sorted(sets, key=lambda v: (v.time, v.patient_id))


def _durable(engine: sa.Engine) -> DurableMonitor:
    """A durable monitor re-notifying after one hour, so the streams exercise re-notification."""
    return DurableMonitor(engine, policy=AlertPolicy(renotify_after=timedelta(hours=1)))


def _alerts_of_one(engine: sa.Engine, sets: list[VitalSigns]) -> list[VitalAlert]:
    one = _durable(engine)
    return [a for v in sets for a in one.ingest([v]).alerts]


def _alternating(
    monitors: list[DurableMonitor], batches: list[list[VitalSigns]]
) -> list[VitalAlert]:
    alerts = []
    for i, batch in enumerate(batches):
        alerts += monitors[i % len(monitors)].ingest(batch).alerts
    return alerts


@pytest.mark.slow
def test_a_stream_alternating_between_two_monitors_raises_the_alerts_of_one(
    settings: Settings,
) -> None:
    sets = _stream(per_kind=2)
    expected = _alerts_of_one(_engine(settings, "one"), sets)
    assert {a.kind for a in expected} >= {"raised", "escalated", "renotified", "de-escalated"}
    shared = _engine(settings, "shared")
    first, second = _durable(shared), _durable(shared)
    assert _alternating([first, second], [[v] for v in sets]) == expected
    assert [a for _, a in stored_alerts(shared, limit=1000)] == expected


def test_batches_of_several_sets_split_three_ways_raise_the_alerts_of_one(
    settings: Settings,
) -> None:
    sets = _stream()
    batches = [sets[start:end] for start, end in _cuts(len(sets))]
    one = _durable(_engine(settings, "one"))
    expected = [a for batch in batches for a in one.ingest(batch).alerts]
    shared = _engine(settings, "shared")
    monitors = [_durable(shared) for _ in range(3)]
    assert _alternating(monitors, batches) == expected
    for monitor in monitors[1:]:  # after one more batch each, every state is the same
        monitor.ingest(sets[-1:])
        pid = sets[-1].patient_id
        assert monitor.policy.export_state(pid) == one.policy.export_state(pid)
        assert monitor.monitor.latest(pid) == one.monitor.latest(pid)


def _cuts(n: int) -> list[tuple[int, int]]:
    """Batch boundaries of sizes 1, 2, ..., 6, 1, 2, ... covering n items."""
    cuts, start, size = [], 0, 1
    while start < n:
        cuts.append((start, min(n, start + size)))
        start, size = start + size, size % 6 + 1
    return cuts


def _first_renotification(sets: list[VitalSigns], engine: sa.Engine) -> int:
    """Index of the set that raises the stream's first re-notification."""
    probe = _durable(engine)
    for i, vitals in enumerate(sets):
        if any(a.kind == "renotified" for a in probe.ingest([vitals]).alerts):
            return i
    raise AssertionError("the stream re-notifies no alert")


@pytest.mark.slow
def test_an_acknowledgement_taken_by_one_process_holds_in_the_other(settings: Settings) -> None:
    sets = _stream()
    cut = _first_renotification(sets, _engine(settings, "probe"))
    pid = sets[cut].patient_id
    one = _durable(_engine(settings, "one"))
    unacknowledged = [a for v in sets[:cut] for a in one.ingest([v]).alerts]
    one.policy.acknowledge(pid)  # as the single process would
    per_set = [one.ingest([v]).alerts for v in sets[cut:]]
    assert [a.kind for a in per_set[0]] == []  # unacknowledged, this set re-notifies
    expected = [a for alerts in per_set for a in alerts]

    shared = _engine(settings, "shared")
    first, second = _durable(shared), _durable(shared)
    assert _alternating([first, second], [[v] for v in sets[:cut]]) == unacknowledged
    alert_id, _ = stored_alerts(shared, patient_id=pid)[-1]
    acknowledge_alert(shared, alert_id)  # taken by neither monitor's memory
    assert _alternating([second, first], [[v] for v in sets[cut:]]) == expected


def test_a_monitor_reloads_only_a_patient_another_process_wrote(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sets = _stream()
    engine = _engine(settings, "shared")
    durable = _durable(engine)
    forgotten: list[str] = []
    load = durable.monitor.load
    monkeypatch.setattr(
        durable.monitor, "load", lambda p, *a, **k: (forgotten.append(p), load(p, *a, **k))
    )
    for vitals in sets[:60]:
        durable.ingest([vitals])
    assert forgotten == []  # alone on its database: no reload
    written = sets[60]
    _durable(engine).ingest([written])  # another process writes one patient
    other = next(v for v in sets[61:] if v.patient_id != written.patient_id)
    durable.ingest([other])
    assert forgotten == []
    durable.ingest([next(v for v in sets[61:] if v.patient_id == written.patient_id)])
    assert forgotten == [written.patient_id]


@pytest.mark.slow
def test_a_batch_that_fails_to_commit_leaves_no_trace_in_the_next_one(settings: Settings) -> None:
    sets = _stream()
    cut = _first_renotification(sets, _engine(settings, "probe"))
    one = _durable(_engine(settings, "one"))
    expected = [a for v in sets[: cut + 20] for a in one.ingest([v]).alerts]

    durable = _durable(_engine(settings, "failing"))
    alerts = [a for v in sets[:cut] for a in durable.ingest([v]).alerts]

    def fail(_conn: sa.Connection) -> None:
        raise RuntimeError("audit entry refused")

    with pytest.raises(RuntimeError):
        durable.ingest([sets[cut]], on_commit=fail)  # scored in memory, rolled back on disk
    alerts += [a for v in sets[cut : cut + 20] for a in durable.ingest([v]).alerts]
    assert alerts == expected


def _glucose_trace(patient: str, offset: int) -> list[GlucoseReading]:
    """A CGM trace every 5 minutes: steady, a fast fall, 75 minutes at 50 mg/dL, recovery,
    40 minutes at 300 mg/dL, then steady (SYNTHETIC values, shaped to cross the alert levels)."""
    values = (
        [120.0] * 6
        + [120.0 - 10 * i for i in range(1, 7)]
        + [50.0] * 16
        + [100.0] * 12
        + [300.0] * 9
        + [110.0] * 20
    )
    start = T0 + timedelta(minutes=offset)
    return [
        GlucoseReading(
            patient_id=patient, time=start + timedelta(minutes=5 * i), mg_dl=v, source="cgm"
        )
        for i, v in enumerate(values)
    ]


def _glucose_stream() -> list[GlucoseReading]:
    readings = [*_glucose_trace("g1", 0), *_glucose_trace("g2", 35), *_glucose_trace("g3", 90)]
    return sorted(readings, key=lambda r: (r.time, r.patient_id))


def _glucose(engine: sa.Engine) -> DurableGlucose:
    return DurableGlucose(engine, GlucoseMonitor())


@pytest.mark.slow
def test_a_glucose_stream_alternating_between_two_stores_raises_the_alerts_of_one(
    settings: Settings,
) -> None:
    readings = _glucose_stream()
    one = _glucose(_engine(settings, "one"))
    expected = [a for r in readings for a in one.ingest([r], now=r.time).alerts]
    assert {a.kind for a in expected} >= {"raised", "renotified", "rapid-fall"}
    shared = _engine(settings, "shared")
    stores = [_glucose(shared), _glucose(shared)]
    alerts = [
        a for i, r in enumerate(readings) for a in stores[i % 2].ingest([r], now=r.time).alerts
    ]
    assert alerts == expected


def test_a_glucose_acknowledgement_in_one_store_holds_in_the_other(settings: Settings) -> None:
    readings = [r for r in _glucose_stream() if r.patient_id == "g1"]
    cut = next(i for i, r in enumerate(readings) if r.mg_dl == 50.0) + 4  # alerted by then
    one = _glucose(_engine(settings, "one"))
    for r in readings[:cut]:
        one.ingest([r], now=r.time)
    one.acknowledge("g1")
    expected = [a for r in readings[cut:] for a in one.ingest([r], now=r.time).alerts]
    assert "renotified" not in {a.kind for a in expected}
    shared = _engine(settings, "shared")
    first, second = _glucose(shared), _glucose(shared)
    for r in readings[:cut]:
        first.ingest([r], now=r.time)
    first.acknowledge("g1")
    assert [a for r in readings[cut:] for a in second.ingest([r], now=r.time).alerts] == expected


@pytest.fixture
def postgres_engine() -> Iterator[sa.Engine]:
    """A migrated engine on a fresh schema of the PostgreSQL test server (MEDLM_TEST_POSTGRES_URL);
    skipped without one."""
    base = os.environ.get("MEDLM_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("MEDLM_TEST_POSTGRES_URL is not set; PostgreSQL monitor tests skipped")
    schema = f"medlm_shared_{uuid.uuid4().hex[:12]}"
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
def test_postgres_a_stream_alternating_between_two_monitors_raises_the_alerts_of_one(
    settings: Settings, postgres_engine: sa.Engine
) -> None:
    sets = _stream()[:150]
    expected = _alerts_of_one(_engine(settings, "one"), sets)
    first, second = _durable(postgres_engine), _durable(postgres_engine)
    assert _alternating([first, second], [[v] for v in sets]) == expected


@pytest.mark.slow
def test_a_batch_of_more_patients_than_one_statement_can_bind_locks_them_all(
    settings: Settings,
) -> None:
    engine = _engine(settings, "wide")
    durable = _durable(engine)
    batch = [
        VitalSigns(patient_id=f"w{i:05d}", time=T0, heart_rate=80, respiratory_rate=16)
        for i in range(7000)  # 35,000 bound values: above SQLite's 32,766
    ]
    durable.ingest(batch)
    durable.ingest([v.model_copy(update={"time": T0 + timedelta(hours=1)}) for v in batch])
    with engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version, count(*) FROM monitor_state GROUP BY 1"))
        assert versions.all() == [(2, len(batch))]


def test_loading_stored_sets_gives_the_state_ingesting_them_gives() -> None:
    from medlm.monitor.stream import VitalSignMonitor

    sets = _stream()
    late = sets[:40] + sets[45:50] + sets[40:45] + sets[50:]  # a few sets arrive late
    for cut in (10, 47, 120, len(sets) - 1):
        ingested, loaded = VitalSignMonitor(), VitalSignMonitor()
        for vitals in late[:cut]:
            ingested.ingest(vitals)
        for pid in {v.patient_id for v in late[:cut]}:
            loaded.load(pid, [v for v in late[:cut] if v.patient_id == pid])
        assert loaded.state_size() == ingested.state_size()
        following = [v.model_copy(update={"time": v.time + timedelta(minutes=1)}) for v in sets]
        for vitals in following[cut - 5 : cut + 5]:  # the next sets are assessed alike
            assert loaded.ingest(vitals) == ingested.ingest(vitals)
            assert loaded.latest(vitals.patient_id) == ingested.latest(vitals.patient_id)


def test_a_batch_reloading_more_patients_than_one_window_query_holds_gives_their_state(
    settings: Settings,
) -> None:
    from medlm.monitor.shared_state import WINDOW_CHUNK

    def batch(**values: float) -> list[VitalSigns]:
        n = WINDOW_CHUNK * 2 + 100
        return [VitalSigns(patient_id=f"w{i:05d}", time=T0, **values) for i in range(n)]

    one = _durable(_engine(settings, "one"))
    shared = _engine(settings, "shared")
    first, second = _durable(shared), _durable(shared)
    parts = [batch(heart_rate=80, respiratory_rate=16), batch(spo2=97)]  # two halves of each set
    for durable, part in zip((first, second), parts, strict=True):
        expected = one.ingest(part).assessments
        assert durable.ingest(part).assessments == expected
    assert {a.status for a in expected} == {"updated"}  # the second half joined the first
