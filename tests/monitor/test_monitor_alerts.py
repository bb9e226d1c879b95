"""Alert policy: raise once, escalate, re-notify, acknowledge, hysteresis; naive baseline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from medlm.knowledge.early_warning import load_news2
from medlm.monitor.alerts import AlertPolicy, NaivePolicy
from medlm.monitor.scoring import news2_from_subscores
from medlm.monitor.stream import Assessment

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TOTALS = {0: 0, 1: 1, 2: 3, 3: 5, 4: 7}  # level -> a total with that level (2 via a red score)


def at(hour: float, level: int, *, rising: bool = False, status: str = "new") -> Assessment:
    total = TOTALS[level]
    subscores = {"pulse": 3 if level == 2 else 0, "respiration_rate": 0 if level == 2 else total}
    result = news2_from_subscores(subscores, [], load_news2())
    assert result.level == level
    return Assessment.model_validate(
        {"patient_id": "p", "time": T0 + timedelta(hours=hour), "status": status,
         "news2": result, "rising": rising, "trend_rise": 2 if rising else None}
    )  # fmt: skip


def kinds(policy: AlertPolicy, levels: list[int]) -> list[tuple[str, bool]]:
    out = []
    for hour, level in enumerate(levels):
        out += [(a.kind, a.notify) for a in policy.evaluate(at(hour, level))]
    return out


def test_alert_is_raised_once_while_level_stays_the_same() -> None:
    policy = AlertPolicy(renotify_after=timedelta(hours=10))
    assert kinds(policy, [0, 3, 3, 3, 3]) == [("raised", True)]


def test_escalation_alerts_again() -> None:
    assert kinds(AlertPolicy(), [3, 4]) == [("raised", True), ("escalated", True)]


def test_unacknowledged_alert_is_renotified_after_the_interval() -> None:
    policy = AlertPolicy(renotify_after=timedelta(hours=2))
    assert kinds(policy, [3, 3, 3, 3, 3]) == [
        ("raised", True), ("renotified", True), ("renotified", True),
    ]  # fmt: skip


def test_acknowledged_alert_is_not_renotified_until_it_escalates() -> None:
    policy = AlertPolicy(renotify_after=timedelta(hours=1))
    policy.evaluate(at(0, 3))
    policy.acknowledge("p")
    assert policy.evaluate(at(1, 3)) == [] and policy.evaluate(at(2, 3)) == []
    assert [a.kind for a in policy.evaluate(at(3, 4))] == ["escalated"]


def test_deescalation_needs_consecutive_lower_sets() -> None:
    policy = AlertPolicy(deescalate_after=2)
    assert kinds(policy, [4, 1, 4]) == [("raised", True)]
    policy = AlertPolicy(deescalate_after=2)
    assert kinds(policy, [4, 1, 1]) == [("raised", True), ("de-escalated", False)]


def test_climbing_back_soon_after_deescalation_does_not_page_again() -> None:
    policy = AlertPolicy(deescalate_after=2, renotify_after=timedelta(hours=8))
    assert kinds(policy, [4, 1, 1, 4]) == [
        ("raised", True), ("de-escalated", False), ("raised", False),
    ]  # fmt: skip


def test_rising_trend_below_threshold_raises_one_early_alert() -> None:
    policy = AlertPolicy()
    first = policy.evaluate(at(0, 1, rising=True))
    assert [a.kind for a in first] == ["rising"]
    assert policy.evaluate(at(1, 1, rising=True)) == []


def test_duplicates_and_late_sets_at_or_below_the_alerted_level_change_nothing() -> None:
    policy = AlertPolicy()
    policy.evaluate(at(2, 3))
    assert policy.evaluate(at(1, 3)) == []
    assert policy.evaluate(at(1.5, 0)) == []
    assert policy.evaluate(at(3, 4, status="duplicate")) == []


def test_a_late_set_above_the_alerted_level_still_escalates() -> None:
    policy = AlertPolicy()
    assert [a.kind for a in policy.evaluate(at(2, 0))] == []
    late = policy.evaluate(at(1, 4, status="late"))
    assert [(a.kind, a.level, a.notify) for a in late] == [("raised", 4, True)]
    assert "late set" in late[0].reason
    assert policy.evaluate(at(1.5, 4, status="late")) == []  # already alerted at this level


def test_naive_policy_alerts_on_every_set_at_or_above_threshold() -> None:
    naive = NaivePolicy()
    alerts = [a for h, lvl in enumerate([3, 3, 1, 4]) for a in naive.evaluate(at(h, lvl))]
    assert [a.level for a in alerts] == [3, 3, 4]
