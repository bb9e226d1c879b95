"""The patient chart in a real browser: vital-sign charts with NEWS2 bands, a risk card, a
treatment card and a note with its entities highlighted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from medlm.datasets import load
from medlm.records import PatientRecord
from medlm.records.fhir import to_bundle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"


def chart_record() -> PatientRecord:
    """A packaged Pima record (so the diabetes model scores it) with a problem, an eGFR of 25
    under metformin (a contraindication card) and a note with a negated and a family finding."""
    base = load("pima").to_records(limit=1)[0]
    pid = base.patient.id
    data = base.model_dump(mode="json")
    data["observations"].append(
        {
            "patient_id": pid,
            "code": {"system": LOINC, "code": "62238-1"},
            "value": 25,
            "unit": "mL/min/{1.73_m2}",
        }
    )
    data["conditions"].append(
        {
            "patient_id": pid,
            "code": {"system": SNOMED, "code": "38341003", "display": "Hypertension"},
        }
    )
    data["medication_statements"].append({"patient_id": pid, "name": "metformin"})
    data["notes"].append(
        {
            "patient_id": pid,
            "text": "Denies chest pain. History of asthma. "
            "Mother had breast cancer. Takes metformin daily.",
        }
    )
    return PatientRecord.model_validate(data)


def six_hours_of_sets(patient_id: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "patient_id": patient_id,
            "time": (now - timedelta(minutes=30 * i + 5)).isoformat(),
            "respiratory_rate": 16 + (i % 4) * 3,
            "spo2": 97 - (i % 3),
            "on_oxygen": False,
            "systolic_bp": 118 - (i % 5) * 4,
            "heart_rate": 78 + (i % 4) * 9,
            "consciousness": "A",
            "temperature_c": 37.0 + (i % 3) * 0.4,
        }
        for i in range(12)
    ]


@pytest.fixture
def chart_patient(web_server: Any) -> str:
    record = chart_record()
    with web_server.api() as api:
        stored = api.post("/v1/records/ingest", json=to_bundle([record]))
        assert stored.status_code == 200, stored.text
        sets = api.post("/v1/vitals", json={"vitals": six_hours_of_sets(record.patient.id)})
        assert sets.status_code == 200 and sets.json()["errors"] == [], sets.text
    return record.patient.id


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
