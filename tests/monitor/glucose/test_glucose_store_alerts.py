"""The durable glucose store with the glucose monitor: level-2 hypoglycaemia alerts stored once,
and the monitor's per-patient state carried across a restart (by `restore`, or by the reload
of a patient at its first batch)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from medlm.monitor.glucose.alerts import GlucoseMonitor
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.monitor.glucose.store import DurableGlucose, GlucoseAlerting
from medlm.monitor.store import stored_alerts
from medlm.settings import Settings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade

T0 = datetime(2026, 1, 1, 8, tzinfo=UTC)


def _engine(settings: Settings) -> sa.Engine:
    engine = make_engine(settings)
    upgrade(engine)
    return engine


def low_run(minutes: int, start: int = 0) -> list[GlucoseReading]:
    """CGM readings at 50 mg/dL every 5 minutes (below the ADA level-2 bound of 54)."""
    return [
        GlucoseReading(patient_id="p1", time=T0 + timedelta(minutes=m), mg_dl=50.0, source="cgm")
        for m in range(start, start + minutes + 1, 5)
    ]


def durable(engine: sa.Engine) -> DurableGlucose:
    monitor: GlucoseAlerting = GlucoseMonitor()  # the store's interface, checked by mypy
    return DurableGlucose(engine, monitor)


def test_twenty_minutes_at_50_stores_one_level_2_alert_and_a_resend_adds_none(
    settings: Settings,
) -> None:
    engine = _engine(settings)
    readings = low_run(20)
    first = durable(engine).ingest(readings, now=readings[-1].time)
    assert [a.response for a in first.alerts] == ["level 2 hypoglycaemia"]
    stored = [a for _, a in stored_alerts(engine, signal="glucose")]
    assert stored == first.alerts and stored[0].signal == "glucose"
    again = durable(engine).ingest(readings, now=readings[-1].time)
    assert again.alerts == [] and again.duplicates == len(readings)
    assert len(stored_alerts(engine)) == 1


def test_restore_carries_the_episode_across_a_restart(settings: Settings) -> None:
    engine = _engine(settings)
    before = low_run(10)  # 10 minutes: not yet an episode
    assert durable(engine).ingest(before, now=before[-1].time).alerts == []
    next_reading = low_run(0, start=15)
    now = next_reading[0].time
    unrestored = durable(engine)  # no restore: the patient is reloaded at its first batch
    (alert,) = unrestored.ingest(next_reading, now=now).alerts
    assert alert.response == "level 2 hypoglycaemia"

    engine2 = _engine(settings.model_copy(update={"data_dir": settings.data_dir / "second"}))
    durable(engine2).ingest(before, now=before[-1].time)
    restored = durable(engine2)
    assert restored.restore(now=now) == len(before)
    (alert,) = restored.ingest(next_reading, now=now).alerts
    assert alert.response == "level 2 hypoglycaemia"


def test_from_settings_builds_the_monitor_and_restores_its_state(settings: Settings) -> None:
    engine = _engine(settings)
    before = low_run(10)
    DurableGlucose.from_settings(engine, restore=False).ingest(before, now=before[-1].time)
    restarted = DurableGlucose.from_settings(engine)  # restores up to the current time
    assert isinstance(restarted.monitor, GlucoseMonitor)
    assert restarted.monitor.history("p1") == []  # 2026-01-01 is outside the 24-hour window
    fresh = DurableGlucose.from_settings(engine, restore=False)
    fresh.restore(now=before[-1].time)
    assert isinstance(fresh.monitor, GlucoseMonitor)
    assert fresh.monitor.history("p1") == before
