"""Sign-in in a real browser: the board asks for it, a wrong password is refused, then it works."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_board_without_a_session_shows_the_sign_in_page(page: Page, web_server: Any) -> None:
    page.goto(f"{web_server.url}/")
    assert urlsplit(page.url).path == "/signin"
    expect(page.locator("h1")).to_have_text("Sign in")


def test_wrong_password_is_refused_then_the_right_one_opens_the_board(
    page: Page, web_server: Any, screenshot: Callable[..., Path]
) -> None:
    page.goto(f"{web_server.url}/signin")
    page.fill("#username", web_server.user)
    page.fill("#password", "not the password at all")
    page.click("form[action='/signin'] button[type=submit]")
    error = page.get_by_role("alert")
    expect(error).to_contain_text("wrong user name or password")
    assert urlsplit(page.url).path == "/signin"
    screenshot(page, "signin-refused")

    page.fill("#username", web_server.user)
    page.fill("#password", web_server.password)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_url(f"{web_server.url}/")
    expect(page.locator("h1")).to_have_text("Ward board")
    screenshot(page, "signed-in")
