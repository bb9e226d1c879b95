"""The patient chart in a real browser: vital-sign charts with NEWS2 bands, a risk card, a
treatment card and a note with its entities highlighted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_chart_shows_banded_vital_charts_risk_and_treatment_cards_and_note_entities(
    signed_in: Page, web_server: Any, chart_patient: str, screenshot: Callable[..., Path]
) -> None:
    page = signed_in
    page.goto(f"{web_server.url}/patients/{chart_patient}")
    expect(page.locator("h1")).to_contain_text(chart_patient)

    vital_charts = page.locator("svg.chart-vital")
    assert vital_charts.count() >= 5, "one chart per NEWS2 vital sign expected"
    assert page.locator("svg.chart-vital rect.band").count() > 0, "no NEWS2 bands behind lines"
    expect(page.locator("svg.chart-score")).to_be_visible()

    risk = page.locator("article.risk-card").first
    expect(risk).to_be_visible()
    expect(risk.locator(".probability")).to_contain_text("%")
    expect(risk.locator(".tier")).not_to_be_empty()

    treatment = page.locator("article.cds-card", has_text="metformin").first
    expect(treatment).to_be_visible()

    negated = page.locator("mark.entity.negated", has_text="chest pain").first
    expect(negated).to_be_visible()
    assert negated.get_attribute("title"), "an entity shows its codes on hover"
    expect(page.locator("mark.entity.family").first).to_be_visible()
    screenshot(page, "chart", docs="chart.png")
