"""The patient's alerts on the chart in a real browser: a glucose alert posted in mmol/L names its
value and threshold in mmol/L, is acknowledged from the chart with a note, and is then listed
with who acknowledged it, in English and in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PATIENT = "chart-glucose-1"


def post_low_glucose(web_server: Any) -> None:
    """A capillary 3.1 mmol/L: ADA level 1 hypoglycaemia (below 3.9 mmol/L, at or above 3.0)."""
    reading = {
        "patient_id": PATIENT,
        "time": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
        "glucose": 3.1,
        "unit": "mmol/L",
        "source": "capillary",
    }
    with web_server.api() as api:
        response = api.post("/v1/glucose", json={"readings": [reading]})
    assert response.status_code == 200, response.text


def test_a_glucose_alert_is_acknowledged_from_the_chart_and_listed_with_who(
    signed_in: Page, web_server: Any, screenshot: Callable[..., Path]
) -> None:
    page = signed_in
    post_low_glucose(web_server)
    page.goto(f"{web_server.url}/patients/{PATIENT}")
    section = page.locator("section[aria-labelledby=alerts-heading]")
    item = section.locator("li.alert-item").first
    expect(item).to_contain_text("Value: 3.1 mmol/L; threshold: 3.9 mmol/L.")
    item.locator("input[name=note]").fill("glucose gel given")
    with page.expect_navigation():
        item.get_by_role("button", name="Acknowledge").click()
    assert page.url.endswith(f"/patients/{PATIENT}"), page.url
    expect(section.locator("form[action*='/acknowledge']")).to_have_count(0)
    expect(section).to_contain_text(f"Acknowledged by {web_server.user} at")
    expect(section).to_contain_text("glucose gel given")
    screenshot(page, "chart-alerts")
    page.goto(f"{web_server.url}/patients/{PATIENT}?lang=zh_CN")
    expect(section).to_contain_text(f"已由{web_server.user}于")
    expect(section).to_contain_text("数值：3.1 mmol/L；阈值：3.9 mmol/L。")
    screenshot(page, "chart-alerts-zh-CN")
