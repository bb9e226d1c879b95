"""VitalSignMonitor: merging, idempotency, out-of-order sets, trend, baseline and bounded state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from medlm.monitor.stream import VitalSignMonitor
from medlm.monitor.vitals import VitalSigns

T0 = datetime(2026, 1, 1, 8, tzinfo=UTC)
NORMAL: dict[str, Any] = {
    "respiratory_rate": 16, "spo2": 97, "on_oxygen": False, "systolic_bp": 120,
    "heart_rate": 70, "consciousness": "A", "temperature_c": 37.0,
}  # fmt: skip


def vs(hour: float, pid: str = "p", **changes: Any) -> VitalSigns:
    return VitalSigns(patient_id=pid, time=T0 + timedelta(hours=hour), **{**NORMAL, **changes})


def test_repeated_set_is_a_duplicate_and_changes_nothing() -> None:
    monitor = VitalSignMonitor()
    first, _ = monitor.ingest(vs(0))
    again, rejected = monitor.ingest(vs(0))
    assert first.status == "new" and again.status == "duplicate" and rejected == []


def test_conflicting_value_for_same_time_and_parameter_is_reported_not_applied() -> None:
    monitor = VitalSignMonitor()
    monitor.ingest(vs(0))
    assessment, rejected = monitor.ingest(vs(0, heart_rate=130))
    assert [r.field for r in rejected] == ["heart_rate"]
    assert "conflicts" in rejected[0].reason
    assert assessment.news2.subscores["pulse"] == 0


def test_parameters_arriving_separately_merge_into_one_set() -> None:
    monitor = VitalSignMonitor()
    part = VitalSigns(patient_id="p", time=T0, heart_rate=135)
    first, _ = monitor.ingest(part)
    assert first.news2.total is None and first.news2.red_score
    rest = {k: v for k, v in NORMAL.items() if k != "heart_rate"}
    merged, _ = monitor.ingest(VitalSigns(patient_id="p", time=T0, **rest))
    assert merged.status == "updated" and merged.news2.total == 3


def test_out_of_order_set_is_marked_late_and_latest_stays_newest() -> None:
    monitor = VitalSignMonitor()
    monitor.ingest(vs(2, heart_rate=95))
    late, _ = monitor.ingest(vs(1, heart_rate=135))
    assert late.status == "late"
    latest = monitor.latest("p")
    assert latest is not None and latest.total == 1


def test_rise_of_two_within_the_trend_window_is_flagged() -> None:
    monitor = VitalSignMonitor(trend_window=timedelta(hours=4))
    monitor.ingest(vs(0))
    monitor.ingest(vs(1, heart_rate=95))
    rising, _ = monitor.ingest(vs(2, heart_rate=115))
    assert rising.trend_rise == 2 and rising.rising
    assert rising.baseline_total == 0.5 and rising.deviation == 1.5


def test_rise_outside_the_trend_window_is_not_flagged() -> None:
    monitor = VitalSignMonitor(trend_window=timedelta(hours=1))
    monitor.ingest(vs(0))
    later, _ = monitor.ingest(vs(3, heart_rate=115))
    assert later.trend_rise is None and not later.rising


def test_state_is_bounded_by_the_window_for_a_long_stream() -> None:
    monitor = VitalSignMonitor(window=timedelta(hours=6))
    for hour in range(200):
        for pid in ("a", "b", "c"):
            monitor.ingest(vs(hour, pid=pid))
    assert monitor.state_size() == 3 * 7
