"""The ward board in a real browser: a set posted through the API appears without a reload, and
an alert is acknowledged from the board."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def critical_set(patient_id: str, minutes_ago: int = 1) -> dict[str, Any]:
    """A set scoring NEWS2 well above 7 (RCP 2017 Chart 1 bands), so it raises an alert."""
    return {
        "patient_id": patient_id,
        "time": (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat(),
        "respiratory_rate": 30,
        "spo2": 85,
        "on_oxygen": False,
        "systolic_bp": 85,
        "heart_rate": 135,
        "consciousness": "V",
        "temperature_c": 39.5,
    }


def calm_set(patient_id: str, minutes_ago: int = 1) -> dict[str, Any]:
    return {
        **critical_set(patient_id, minutes_ago),
        "respiratory_rate": 16,
        "spo2": 97,
        "systolic_bp": 125,
        "heart_rate": 72,
        "consciousness": "A",
        "temperature_c": 36.8,
    }


def post_vitals(web_server: Any, *sets: dict[str, Any]) -> None:
    with web_server.api() as api:
        response = api.post("/v1/vitals", json={"vitals": list(sets)})
    assert response.status_code == 200 and response.json()["errors"] == [], response.text


def test_board_shows_a_set_posted_through_the_api_without_a_reload(
    signed_in: Page, web_server: Any, screenshot: Callable[..., Path]
) -> None:
    page = signed_in
    expect(page.locator("h1")).to_have_text("Ward board")
    page.evaluate("window.__sameDocument = true")
    post_vitals(web_server, calm_set("ward-calm-1"), critical_set("ward-sick-1"))
    board = page.locator("#board-table")
    expect(board.get_by_role("link", name="ward-sick-1")).to_be_visible(timeout=20_000)
    expect(board.get_by_role("link", name="ward-calm-1")).to_be_visible()
    assert page.evaluate("window.__sameDocument === true"), "the board reloaded the whole page"
    rows = board.locator("tbody tr th[scope=row]").all_inner_texts()
    assert rows.index("ward-sick-1") < rows.index("ward-calm-1"), "most urgent patient not first"
    screenshot(page, "board", docs="board.png")


def test_alert_is_acknowledged_from_the_board_with_a_note(
    signed_in: Page, web_server: Any, screenshot: Callable[..., Path]
) -> None:
    page = signed_in
    post_vitals(web_server, critical_set("ward-ack-1"))
    page.reload()
    row = page.locator("#board-table tbody tr", has=page.get_by_role("link", name="ward-ack-1"))
    form = row.locator("form[action*='/acknowledge']").first
    expect(form).to_be_visible()
    form.locator("input[name=note]").fill("seen by the outreach team")
    form.get_by_role("button", name="Acknowledge").click()
    expect(row.locator("form[action*='/acknowledge']")).to_have_count(0, timeout=15_000)
    page.reload()  # stored, not only hidden: the board read afresh shows no open alert
    expect(row.locator("form[action*='/acknowledge']")).to_have_count(0)
    screenshot(page, "board-acknowledged")
