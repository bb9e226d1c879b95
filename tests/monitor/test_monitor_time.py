"""Time: a future-dated set is refused and never silences the patient; restore skips such rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from medlm.monitor.alerts import AlertPolicy
from medlm.monitor.store import DurableMonitor, reading_rows
from medlm.monitor.stream import VitalSignMonitor
from medlm.monitor.vitals import VitalSigns
from medlm.settings import Settings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade
from medlm.storage.tables.monitor import VitalReading

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
NORMAL: dict[str, Any] = {
    "respiratory_rate": 16, "spo2": 97, "on_oxygen": False, "systolic_bp": 120,
    "heart_rate": 70, "consciousness": "A", "temperature_c": 37.0,
}  # fmt: skip
# NEWS2 16: RR 3, SpO2 3, oxygen 2, SBP 3, pulse 2, consciousness 3, temperature 0.
CRITICAL: dict[str, Any] = {
    "respiratory_rate": 30, "spo2": 88, "on_oxygen": True, "systolic_bp": 85,
    "heart_rate": 125, "consciousness": "V", "temperature_c": 37.0,
}  # fmt: skip


def at(time: datetime, values: dict[str, Any]) -> VitalSigns:
    return VitalSigns(patient_id="p", time=time, **values)


@pytest.mark.parametrize(
    "ahead", [timedelta(hours=2), datetime(9000, 1, 1, tzinfo=UTC) - NOW], ids=["2h", "year-9000"]
)
def test_a_future_set_is_rejected_and_the_critical_set_after_it_alerts(ahead: timedelta) -> None:
    monitor, policy = VitalSignMonitor(), AlertPolicy()
    future, rejected = monitor.ingest(at(NOW + ahead, NORMAL), now=NOW)
    assert future is None and rejected[0].field == "time"
    assert "clock-skew allowance of 5 min" in rejected[0].reason
    critical, _ = monitor.ingest(at(NOW, CRITICAL), now=NOW)
    assert critical is not None and critical.status == "new" and critical.news2.total == 16
    assert [(a.kind, a.level) for a in policy.evaluate(critical)] == [("raised", 4)]


def test_a_set_within_the_clock_skew_allowance_is_accepted() -> None:
    monitor = VitalSignMonitor(clock_skew=timedelta(minutes=5))
    assessment, rejected = monitor.ingest(at(NOW + timedelta(minutes=4), NORMAL), now=NOW)
    assert assessment is not None and rejected == []


def test_a_critical_set_late_behind_one_inside_the_allowance_still_alerts() -> None:
    monitor, policy = VitalSignMonitor(), AlertPolicy()
    ahead, _ = monitor.ingest(at(NOW + timedelta(minutes=4), NORMAL), now=NOW)
    assert ahead is not None and policy.evaluate(ahead) == []
    critical, _ = monitor.ingest(at(NOW, CRITICAL), now=NOW)
    assert critical is not None and critical.status == "late"
    assert [a.level for a in policy.evaluate(critical)] == [4]


def test_vital_signs_refuse_a_time_outside_utc_range() -> None:
    with pytest.raises(ValueError, match="range of UTC"):
        VitalSigns(patient_id="p", time=datetime.fromisoformat("9999-12-31T23:30:00-01:00"))


def test_batch_ingest_stores_the_reason_for_a_future_set_and_scores_the_rest(
    settings: Settings,
) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    now = datetime.now(UTC)
    result = DurableMonitor(engine).ingest(
        [at(now + timedelta(hours=2), NORMAL), at(now, CRITICAL)]
    )
    assert [a.news2.total for a in result.assessments] == [16]
    assert [a.level for a in result.alerts] == [4]
    assert [r.field for r in result.rejected] == ["time"]
    with engine.connect() as conn:
        quarantined = conn.execute(sa.text("SELECT parameter FROM vital_quarantine")).all()
        readings = conn.execute(sa.text("SELECT count(*) FROM vital_readings")).scalar_one()
    assert quarantined == [("time",)] and readings == len(CRITICAL)


def test_restore_skips_readings_stored_in_the_future(settings: Settings) -> None:
    engine = make_engine(settings)
    upgrade(engine)
    rows = reading_rows(at(NOW + timedelta(hours=2), NORMAL), "old", NOW)
    with engine.begin() as conn:  # as a medlm before the time check would have stored it
        conn.execute(sa.insert(VitalReading.__table__), rows)
    durable = DurableMonitor(engine)
    assert durable.restore(now=NOW) == 0
    critical, _ = durable.monitor.ingest(at(NOW, CRITICAL), now=NOW)
    assert critical is not None and critical.status == "new"
