"""Alert sentences name the measurement behind the alert: value and threshold in the reading's
reported unit, numbers formatted per locale, the duration of a CGM episode; nothing is added
to an alert stored without values."""

from __future__ import annotations

from functools import partial

import pytest

from medlm.web import i18n
from medlm.web.components.alert_text import AlertFields, alert_sentence

ZH = partial(i18n.gettext, "zh_CN")
EN_NUMBER = partial(i18n.format_number, "en")
ZH_NUMBER = partial(i18n.format_number, "zh_CN")
ZH_PLURAL = partial(i18n.ngettext, "zh_CN")
LOW_MMOL = AlertFields(
    signal="glucose", kind="raised", level=4, response="level 1 hypoglycaemia",
    value=3.1, unit="mmol/L", threshold=3.885,
)  # fmt: skip


def test_a_glucose_alert_in_mmol_l_names_value_and_threshold_in_mmol_l() -> None:
    assert alert_sentence(LOW_MMOL, number=EN_NUMBER) == (
        "Glucose alert raised: level 1 hypoglycaemia. Value: 3.1 mmol/L; threshold: 3.9 mmol/L."
    )


def test_the_chinese_sentence_names_the_same_value_and_threshold() -> None:
    assert alert_sentence(LOW_MMOL, ZH, ZH_NUMBER) == (
        "血糖警报已发出：1级低血糖。数值：3.1 mmol/L；阈值：3.9 mmol/L。"
    )


def test_a_news2_alert_names_its_total_in_points() -> None:
    alert = AlertFields(
        signal="news2", kind="raised", level=4, response="emergency response", value=8,
        threshold=7,
    )  # fmt: skip
    assert alert_sentence(alert, ZH, ZH_NUMBER, ZH_PLURAL).endswith("数值：8分；阈值：7分。")
    assert alert_sentence(alert, number=EN_NUMBER).endswith("Value: 8 points; threshold: 7 points.")


def test_one_point_is_singular() -> None:
    alert = AlertFields(signal="news2", kind="raised", level=1, value=1, threshold=1)
    assert alert_sentence(alert).endswith("Value: 1 point; threshold: 1 point.")


def test_a_cgm_episode_says_how_long_it_lasted() -> None:
    alert = AlertFields(
        signal="glucose", kind="raised", level=5, value=50, unit="mg/dL", threshold=54,
        duration_minutes=15.0,
    )  # fmt: skip
    assert alert_sentence(alert, ZH, ZH_NUMBER).endswith(
        "数值：50 mg/dL；阈值：54 mg/dL。持续15分钟。"
    )


def test_a_value_without_a_threshold_is_named_alone() -> None:
    alert = AlertFields(signal="glucose", kind="rapid-fall", level=0, value=95, unit="mg/dL")
    assert alert_sentence(alert).endswith("now no glucose alert level. Value: 95 mg/dL.")


@pytest.mark.parametrize("label", [None, ZH])
def test_an_alert_stored_without_values_gets_no_value_sentence(label: object) -> None:
    alert = AlertFields(signal="glucose", kind="raised", level=5)
    sentence = alert_sentence(alert) if label is None else alert_sentence(alert, ZH)
    assert "Value" not in sentence and "数值" not in sentence


def test_large_values_are_grouped_per_locale() -> None:
    alert = AlertFields(signal="glucose", kind="raised", level=1, value=1234.5, unit="mg/dL")
    assert "1,234.5 mg/dL" in alert_sentence(alert, number=EN_NUMBER)
