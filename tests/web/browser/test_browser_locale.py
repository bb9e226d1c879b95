"""The Chinese locale in a real browser: chosen by Accept-Language, switched by the top-bar link
and remembered, with the NEWS2 risk label in Chinese on the board."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHINESE = {"locale": "zh-CN", "extra_http_headers": {"Accept-Language": "zh-CN,zh;q=0.9"}}


def test_accept_language_zh_cn_shows_the_sign_in_page_in_chinese(
    make_context: Callable[..., BrowserContext], web_server: Any, screenshot: Callable[..., Path]
) -> None:
    page = make_context(**CHINESE).new_page()
    page.goto(f"{web_server.url}/signin")
    expect(page.locator("h1")).to_have_text("登录")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    expect(page.get_by_label("用户名")).to_be_visible()
    screenshot(page, "signin-zh-CN")


def test_language_switch_changes_the_page_and_is_remembered(
    make_context: Callable[..., BrowserContext], web_server: Any
) -> None:
    page = make_context(**CHINESE).new_page()
    page.goto(f"{web_server.url}/signin")
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    page.goto(f"{web_server.url}/signin")  # no ?lang= now: the cookie keeps the choice
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_role("link", name="中文").click()
    expect(page.locator("h1")).to_have_text("登录")


def test_board_in_chinese_labels_a_high_news2_as_high_risk(
    make_context: Callable[..., BrowserContext],
    web_server: Any,
    sign_in: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    sick = {
        "patient_id": "zh-sick-1",
        "time": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
        "respiratory_rate": 30,
        "spo2": 85,
        "on_oxygen": False,
        "systolic_bp": 85,
        "heart_rate": 135,
        "consciousness": "V",
        "temperature_c": 39.5,
    }
    with web_server.api() as api:
        assert api.post("/v1/vitals", json={"vitals": [sick]}).status_code == 200
    page = make_context(**CHINESE).new_page()
    sign_in(page)
    expect(page.locator("h1")).to_have_text("病区看板")
    row = page.locator("#board-table tbody tr", has=page.get_by_role("link", name="zh-sick-1"))
    expect(row).to_contain_text("高风险")
    expect(row.get_by_role("button", name="确认").first).to_be_visible()
    screenshot(page, "board-zh-CN")


def test_chart_in_chinese_shows_the_risk_tier_and_headings_in_chinese(
    make_context: Callable[..., BrowserContext],
    web_server: Any,
    chart_patient: str,
    sign_in: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    page = make_context(**CHINESE).new_page()
    sign_in(page)
    page.goto(f"{web_server.url}/patients/{chart_patient}")
    expect(page.get_by_role("heading", name="风险预测")).to_be_visible()
    tier = page.locator("article.risk-card .tier").first
    assert tier.inner_text() in {"高风险", "中风险", "低风险"}
    expect(page.get_by_role("heading", name="生命体征")).to_be_visible()
    screenshot(page, "chart-zh-CN")
