"""Glucose alerts: ADA levels, CGM 15-minute episodes, persistence, trends, policy machinery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from medlm.knowledge.glucose import load_glucose_thresholds
from medlm.monitor.alerts import AlertInput, AlertPolicy, VitalAlert
from medlm.monitor.glucose.alerts import GlucoseMonitor
from medlm.monitor.glucose.config import GlucoseSettings
from medlm.monitor.glucose.readings import GlucoseReading, GlucoseSource

T0 = datetime(2025, 3, 1, 8, tzinfo=UTC)
NOW = datetime(2025, 3, 2, tzinfo=UTC)


def reading(
    minutes: float, mg_dl: float, source: GlucoseSource = "cgm", reported: str | None = None
) -> GlucoseReading:
    return GlucoseReading(
        patient_id="p1", time=T0 + timedelta(minutes=minutes), mg_dl=mg_dl, source=source,
        reported=reported,
    )  # fmt: skip


def run(monitor: GlucoseMonitor, readings: list[GlucoseReading]) -> list[VitalAlert]:
    return [alert for r in readings for alert in monitor.process(r, now=NOW)]


def cgm(values: list[float], start: float = 0) -> list[GlucoseReading]:
    return [reading(start + 5 * i, v) for i, v in enumerate(values)]


def test_a_20_minute_cgm_run_at_50_raises_level_2_hypoglycaemia_once() -> None:
    alerts = run(GlucoseMonitor(), cgm([50] * 5))
    assert [(a.kind, a.response, a.signal) for a in alerts] == [
        ("raised", "level 2 hypoglycaemia", "glucose")
    ]
    assert alerts[0].time == T0 + timedelta(minutes=15)  # the 15th consecutive minute
    assert alerts[0].notify


def test_a_10_minute_cgm_dip_to_50_is_not_an_episode() -> None:
    assert [a for a in run(GlucoseMonitor(), cgm([50, 50, 50, 100, 100])) if a.level] == []


def test_a_cgm_gap_breaks_the_episode() -> None:
    readings = [reading(m, 50) for m in (0, 5, 10, 30, 35)]  # 20 minutes without data
    assert run(GlucoseMonitor(), readings) == []


@pytest.mark.parametrize(
    ("mg_dl", "level_name"),
    [
        (53.9, "level 2 hypoglycaemia"),
        (54, "level 1 hypoglycaemia"),
        (69.9, "level 1 hypoglycaemia"),
        (70, None),
        (180, None),
        (180.1, "level 1 hyperglycaemia"),
        (250, "level 1 hyperglycaemia"),
        (250.1, "level 2 hyperglycaemia"),
    ],
)
def test_a_point_of_care_value_alerts_at_once_at_the_ada_and_consensus_bounds(
    mg_dl: float, level_name: str | None
) -> None:
    alerts = run(GlucoseMonitor(), [reading(0, mg_dl, "capillary")])
    assert [a.response for a in alerts] == ([level_name] if level_name else [])


def test_alert_text_names_value_reported_unit_threshold_source_and_duration() -> None:
    readings = [reading(5 * i, 50.44, reported="2.8 mmol/L") for i in range(4)]
    (alert,) = run(GlucoseMonitor(), readings)
    assert alert.reason == (
        "raised to level 2 hypoglycaemia: glucose 50.4 mg/dL (2.8 mmol/L) below 54 mg/dL "
        "(ADA Standards of Care 2025, section 6), CGM, 15 min"
    )


def test_repeated_values_at_or_above_180_over_4_hours_are_persistent_hyperglycaemia() -> None:
    alerts = run(GlucoseMonitor(), [reading(0, 190, "capillary"), reading(240, 185, "capillary")])
    assert [a.response for a in alerts][-1] == "persistent hyperglycaemia"
    assert "ADA Standards of Care 2025, section 16" in alerts[-1].reason
    assert "medlm choice" in alerts[-1].reason


def test_a_value_below_180_in_between_is_not_persistence() -> None:
    readings = [reading(0, 190, "capillary"), reading(120, 150, "capillary")]
    alerts = run(GlucoseMonitor(), [*readings, reading(240, 185, "capillary")])
    assert "persistent hyperglycaemia" not in [a.response for a in alerts]


def test_a_future_dated_reading_is_rejected_and_does_not_silence_later_ones() -> None:
    monitor = GlucoseMonitor()
    future = reading(60 * 24 * 30, 40, "capillary")
    assessment, alerts = monitor.ingest(future, now=NOW)
    assert alerts == [] and assessment.status == "future"
    assert assessment.rejection is not None and assessment.rejection.field == "time"
    assert monitor.history("p1") == []
    (alert,) = monitor.process(reading(0, 45, "capillary"), now=NOW)
    assert alert.kind == "raised" and alert.response == "level 2 hypoglycaemia"


def test_a_repeat_is_a_duplicate_and_a_different_value_a_conflict_keeping_the_first() -> None:
    monitor = GlucoseMonitor()
    monitor.process(reading(0, 45, "capillary"), now=NOW)
    assert monitor.ingest(reading(0, 45, "capillary"), now=NOW)[0].status == "duplicate"
    conflict, alerts = monitor.ingest(reading(0, 300, "capillary"), now=NOW)
    assert (conflict.status, alerts) == ("conflict", [])
    assert conflict.rejection is not None and "45 mg/dL" in conflict.rejection.reason
    assert [r.mg_dl for r in monitor.history("p1")] == [45]


def test_acknowledged_alert_is_not_renotified_but_an_unacknowledged_one_is() -> None:
    lows = [reading(30 * i, 60, "capillary") for i in range(4)]  # 90 minutes at 60
    assert [a.kind for a in run(GlucoseMonitor(), lows)] == ["raised", "renotified"]
    monitor = GlucoseMonitor()
    run(monitor, lows[:1])
    monitor.acknowledge("p1")
    assert run(monitor, lows[1:]) == []


def test_recovery_de_escalates_without_paging_after_two_readings() -> None:
    alerts = run(GlucoseMonitor(), [reading(0, 45, "capillary"), *cgm([110, 120], start=5)])
    assert [(a.kind, a.notify) for a in alerts] == [("raised", True), ("de-escalated", False)]


def test_restored_state_continues_as_the_live_one() -> None:
    history = cgm([50] * 6)
    live = GlucoseMonitor()
    run(live, history)
    restored = GlucoseMonitor()
    assert restored.restore(history, now=NOW) == 6
    nxt = reading(30, 50)
    assert restored.process(nxt, now=NOW) == live.process(nxt, now=NOW) == []  # raised before
    partial = GlucoseMonitor()
    partial.restore(cgm([50] * 3), now=NOW)  # 10 minutes: no episode yet
    assert [a.kind for a in partial.process(reading(15, 50), now=NOW)] == ["raised"]


def test_restore_skips_future_dated_readings() -> None:
    monitor = GlucoseMonitor()
    assert monitor.restore([reading(0, 100), reading(60 * 24 * 30, 40)], now=NOW) == 1
    assert [r.mg_dl for r in monitor.history("p1")] == [100]


def test_a_fast_fall_gives_one_predicted_low_and_one_rapid_fall_before_the_threshold() -> None:
    falling = cgm([180 - 12 * i for i in range(9)])  # 2.4 mg/dL/min: 180 down to 84
    alerts = run(GlucoseMonitor(), falling)
    kinds = [a.kind for a in alerts]
    assert kinds.count("predicted-low") == 1 and kinds.count("rapid-fall") == 1
    predicted = next(a for a in alerts if a.kind == "predicted-low")
    assert predicted.time < T0 + timedelta(minutes=40) and "below 70 mg/dL" in predicted.reason


def test_no_predicted_low_while_a_hypoglycaemia_alert_stands() -> None:
    readings = [reading(0, 45, "capillary"), *cgm([120, 105, 90, 80, 72], start=1)]
    standing = GlucoseMonitor(GlucoseSettings(deescalate_after=10))  # not yet de-escalated
    assert [a.kind for a in run(standing, readings)] == ["raised"]
    recovered = [a.kind for a in run(GlucoseMonitor(), readings)]  # de-escalated after two
    assert recovered[:2] == ["raised", "de-escalated"] and "predicted-low" in recovered


def test_one_policy_keeps_news2_and_glucose_levels_apart() -> None:
    policy = AlertPolicy(min_level=1)
    news2 = AlertInput(patient_id="p1", time=T0, level=3, description="NEWS2 7")
    glucose = AlertInput(
        patient_id="p1", time=T0, signal="glucose", level=4, description="glucose 60 mg/dL"
    )
    assert [a.signal for a in policy.evaluate(news2) + policy.evaluate(glucose)] == [
        "news2",
        "glucose",
    ]
    assert (policy.level("p1"), policy.level("p1", "glucose")) == (3, 4)


def test_every_threshold_is_cited_and_medlm_choices_give_a_reason() -> None:
    t = load_glucose_thresholds()
    cites = [lvl.cite for lvl in t.levels] + [
        t.metrics.cite, t.metrics.gmi_cite, t.persistent.cite, t.rapid_fall.cite,
        t.predicted_low.cite, t.cgm_episode_cite,
    ]  # fmt: skip
    assert all(c.section and c.year for c in cites)
    assert all(c.reason for c in cites if c.source == "medlm")
    assert {c.source for c in cites} >= {"ada_soc_2025", "battelino_2019", "danne_2017"}
