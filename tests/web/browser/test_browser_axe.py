"""Accessibility in a real browser: axe-core (vendored, checked by its sha256) finds no serious
or critical violation on the sign-in page, the board, the chart, the trial-report and the import
page, at a laptop (1366x768) and a tablet (768x1024) size; no page scrolls sideways, and the
skip link comes first."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parents[1] / "assets" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # VENDORED.md
SIZES = {"laptop": {"width": 1366, "height": 768}, "tablet": {"width": 768, "height": 1024}}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_vendored_axe_is_the_recorded_release() -> None:
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256


def test_axe_reports_an_unlabelled_form_field_as_serious_or_critical(
    make_context: Callable[..., BrowserContext],
) -> None:
    page = make_context(bypass_csp=True).new_page()
    page.set_content(
        '<html lang="en"><body><main><h1>x</h1><input type="text"></main></body></html>'
    )
    assert "label" in [v["id"] for v in serious_violations(page)]


def _open(page: Page, url: str, name: str, sign_in: Callable[[Page], None], patient: str) -> None:
    if name == "signin":
        page.goto(f"{url}/signin")
        return
    sign_in(page)
    if name == "chart":
        page.goto(f"{url}/patients/{patient}")
    elif name != "board":
        page.goto(f"{url}/{name}")


PAGES = [
    pytest.param(name, size)
    for name in ("signin", "board", "chart", "trials", "import")
    for size in sorted(SIZES)
]


@pytest.mark.parametrize(("name", "size"), PAGES)
def test_page_has_no_serious_accessibility_violation_and_fits_the_width(
    name: str,
    size: str,
    make_context: Callable[..., BrowserContext],
    web_server: Any,
    chart_patient: str,
    sign_in: Callable[[Page], None],
    screenshot: Callable[..., Path],
) -> None:
    page = make_context(viewport=SIZES[size], bypass_csp=True).new_page()
    _open(page, web_server.url, name, sign_in, chart_patient)
    expect(page.locator("h1")).to_be_visible()
    screenshot(page, f"{name}-{size}")
    found = serious_violations(page)
    assert found == [], f"{name} at {size}: {found}"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} at {size} scrolls sideways by {overflow}px"


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(signed_in: Page) -> None:
    page = signed_in  # the board (the sign-in page puts the focus in its first field instead)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
