"""GlucoseMonitor's per-patient state as the durable store reads and replaces it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from medlm.monitor.glucose.alerts import GlucoseMonitor
from medlm.monitor.glucose.readings import GlucoseReading

T0 = datetime(2025, 3, 1, 8, tzinfo=UTC)
NOW = datetime(2025, 3, 2, tzinfo=UTC)


def falling(patient_id: str = "p1") -> list[GlucoseReading]:
    return [
        GlucoseReading(
            patient_id=patient_id,
            time=T0 + timedelta(minutes=5 * i),
            mg_dl=180 - 12 * i,
            source="cgm",
        )
        for i in range(9)
    ]


def kinds(monitor: GlucoseMonitor, readings: list[GlucoseReading]) -> list[str]:
    return [a.kind for r in readings for a in monitor.process(r, now=NOW)]


def test_trend_sent_gives_when_each_trend_alert_was_sent_and_is_a_copy() -> None:
    monitor = GlucoseMonitor()
    kinds(monitor, falling())
    sent = monitor.trend_sent("p1")
    assert set(sent) == {"predicted-low", "rapid-fall"}
    sent.clear()
    assert set(monitor.trend_sent("p1")) == {"predicted-low", "rapid-fall"}
    assert monitor.trend_sent("unknown") == {}


def test_set_trend_sent_times_silence_a_trend_alert_within_renotify_after() -> None:
    readings = falling()
    warned = GlucoseMonitor()
    kinds(warned, readings)
    sent = warned.trend_sent("p1")
    reloaded = GlucoseMonitor()
    reloaded.restore(readings[:2], NOW)
    reloaded.set_trend_sent("p1", sent)
    assert reloaded.trend_sent("p1") == sent
    later = kinds(reloaded, readings[2:])
    assert "predicted-low" not in later and "rapid-fall" not in later


def test_set_trend_sent_of_a_patient_with_no_readings_holds_nothing() -> None:
    monitor = GlucoseMonitor()
    monitor.set_trend_sent("p1", {"rapid-fall": T0})
    assert monitor.trend_sent("p1") == {} and monitor.state_size() == 0


def test_forget_drops_one_patients_readings_and_trend_times_only() -> None:
    monitor = GlucoseMonitor()
    kinds(monitor, falling("p1") + falling("p2"))
    monitor.forget("p1")
    monitor.forget("never-seen")
    assert monitor.history("p1") == [] and monitor.trend_sent("p1") == {}
    assert len(monitor.history("p2")) == 9 and monitor.trend_sent("p2")
