"""Alerts carry the measurement behind them as typed fields (value, unit, threshold, sample
source, duration), and the stored alert keeps them and who acknowledged it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from medlm.monitor.alerts import AlertPolicy
from medlm.monitor.glucose.alerts import GlucoseMonitor
from medlm.monitor.glucose.readings import GlucoseReading, GlucoseSource
from medlm.monitor.glucose.store import DurableGlucose
from medlm.monitor.glucose.units import in_unit, reported_value
from medlm.monitor.store import DurableMonitor, acknowledge_alert, stored_alerts
from medlm.monitor.stream import VitalSignMonitor
from medlm.monitor.vitals import VitalSigns
from medlm.settings import Settings
from medlm.storage.engine import make_engine
from medlm.storage.migrate import upgrade
from medlm.storage.tables.monitor import StoredAlert

T0 = datetime(2026, 1, 1, 8, tzinfo=UTC)
NOW = T0 + timedelta(days=1)


def glucose(
    mg_dl: float, reported: str | None, source: GlucoseSource = "capillary", minutes: float = 0
) -> GlucoseReading:
    return GlucoseReading(
        patient_id="g1", time=T0 + timedelta(minutes=minutes), mg_dl=mg_dl, source=source,
        reported=reported,
    )  # fmt: skip


def sick_set(minutes: float = 0) -> VitalSigns:
    """RR 25 (3), SpO2 95 (1), air, SBP 105 (1), pulse 112 (2), alert, 38.4 (1): NEWS2 8."""
    return VitalSigns(
        patient_id="v1", time=T0 + timedelta(minutes=minutes), respiratory_rate=25, spo2=95,
        on_oxygen=False, systolic_bp=105, heart_rate=112, consciousness="A", temperature_c=38.4,
    )  # fmt: skip


def well_set(minutes: float = 0) -> VitalSigns:
    return VitalSigns(
        patient_id="v1", time=T0 + timedelta(minutes=minutes), respiratory_rate=16, spo2=98,
        on_oxygen=False, systolic_bp=125, heart_rate=72, consciousness="A", temperature_c=36.8,
    )  # fmt: skip


def test_a_capillary_3_1_mmol_l_names_its_value_and_the_3_9_threshold_in_mmol_l() -> None:
    (alert,) = GlucoseMonitor().process(glucose(55.85, "3.1 mmol/L"), now=NOW)
    assert alert.response == "level 1 hypoglycaemia"
    assert (alert.value, alert.unit, alert.source) == (3.1, "mmol/L", "capillary")
    assert alert.threshold == pytest.approx(3.885, abs=1e-3)  # 70 mg/dL / 18.016
    assert alert.duration_minutes is None


def test_a_reading_reported_in_mg_dl_keeps_mg_dl_and_the_54_bound() -> None:
    (alert,) = GlucoseMonitor().process(glucose(48, "48 mg/dL", "venous"), now=NOW)
    assert (alert.value, alert.unit, alert.threshold) == (48, "mg/dL", 54)


def test_a_cgm_episode_carries_its_duration_in_minutes() -> None:
    readings = [glucose(50, None, "cgm", minutes=m) for m in range(0, 21, 5)]
    monitor = GlucoseMonitor()
    alerts = [a for r in readings for a in monitor.process(r, now=NOW)]
    assert [(a.kind, a.duration_minutes, a.unit) for a in alerts] == [("raised", 15, "mg/dL")]


def test_a_glucose_in_range_raises_no_alert_and_so_no_values() -> None:
    assert GlucoseMonitor().process(glucose(120, "6.7 mmol/L"), now=NOW) == []


def test_reported_value_falls_back_to_mg_dl_for_an_unknown_unit() -> None:
    assert reported_value(glucose(90, "90 furlongs")) == (90, "mg/dL")
    assert reported_value(glucose(90, None)) == (90, "mg/dL")
    assert in_unit(180, "mmol/L") == pytest.approx(9.991, abs=1e-3)


def test_a_news2_alert_carries_the_total_and_the_lowest_total_of_its_level() -> None:
    monitor, policy = VitalSignMonitor(), AlertPolicy()
    assessment, _ = monitor.ingest(sick_set(), now=NOW)
    assert assessment is not None
    (alert,) = policy.evaluate(assessment)
    assert (alert.level, alert.value, alert.threshold, alert.unit) == (4, 8, 7, None)


def test_a_well_patient_raises_no_news2_alert() -> None:
    monitor, policy = VitalSignMonitor(), AlertPolicy()
    assessment, _ = monitor.ingest(well_set(), now=NOW)
    assert assessment is not None and policy.evaluate(assessment) == []


@pytest.fixture
def engine(settings: Settings) -> sa.Engine:
    engine = make_engine(settings)
    upgrade(engine)
    return engine


def test_stored_glucose_and_news2_alerts_keep_their_values(engine: sa.Engine) -> None:
    DurableGlucose(engine, GlucoseMonitor()).ingest([glucose(55.85, "3.1 mmol/L")], now=NOW)
    DurableMonitor(engine).ingest([sick_set()])
    stored = {a.signal: a for _, a in stored_alerts(engine)}
    assert (stored["glucose"].value, stored["glucose"].unit) == (3.1, "mmol/L")
    assert (stored["news2"].value, stored["news2"].threshold) == (8, 7)


def test_acknowledging_records_who_acknowledged(engine: sa.Engine) -> None:
    DurableMonitor(engine).ingest([sick_set()])
    ((alert_id, _),) = stored_alerts(engine)
    acknowledge_alert(engine, alert_id, by="nurse.li")
    table: sa.Table = StoredAlert.__table__  # type: ignore[assignment]
    with engine.connect() as conn:
        row = conn.execute(sa.select(table).where(table.c.id == alert_id)).one()
    assert row.acknowledged_by == "nurse.li" and row.acknowledged_at is not None
