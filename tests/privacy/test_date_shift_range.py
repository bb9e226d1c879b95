"""Date shifting at the ends of the calendar: out-of-range dates become a counted placeholder."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from medlm.privacy import OperatorConfig, deidentify
from medlm.privacy.dates import patient_offset_days, shift_date_text
from medlm.privacy.detector import PhiDetector
from medlm.settings import Settings

SECRET = "medlm-local"


def _patient(backwards: bool) -> str:
    """A patient id whose date shift moves dates back (or forward)."""
    for i in range(100):
        days = patient_offset_days(SECRET, f"p{i}", 365)
        if (days < 0) == backwards:
            return f"p{i}"
    raise AssertionError("no patient id found")


@pytest.mark.parametrize(
    "value", ["01/01/0001", "0001-01-01", "January 1, 0001", "1 Jan 0001", "1/1/0001"]
)
def test_a_date_that_would_shift_before_year_1_cannot_be_shifted(value: str) -> None:
    assert shift_date_text(value, -1) is None


@pytest.mark.parametrize("value", ["12/31/9999", "9999-12-31", "December 31, 9999"])
def test_a_date_that_would_shift_after_year_9999_cannot_be_shifted(value: str) -> None:
    assert shift_date_text(value, 1) is None


def test_four_digit_early_years_keep_four_digits_when_shifted() -> None:
    assert shift_date_text("01/01/0001", 3) == "01/04/0001"
    assert shift_date_text("January 1, 0001", 3) == "January 4, 0001"
    assert shift_date_text("0001-01-01", 3) == "0001-01-04"


def test_deidentify_counts_the_dates_it_could_not_shift() -> None:
    config = OperatorConfig(shift_dates=True, patient_id=_patient(backwards=True), secret=SECRET)
    text = "Seen 01/01/0001 and 0001-01-01, then 03/04/2020."
    result = deidentify(text, config, PhiDetector(ner=False))
    assert result.text.count("[DATE]") == 2
    assert result.unshifted_dates == 2
    assert "2020" in result.text or "2019" in result.text


@pytest.mark.parametrize(
    ("text", "backwards"),
    [("Seen 01/01/0001.", True), ("Seen 0001-01-01.", True), ("Due 12/31/9999.", False)],
)
def test_the_privacy_route_replaces_out_of_range_dates_instead_of_failing(
    settings: Settings, text: str, backwards: bool
) -> None:
    from medlm.service.app import create_app

    body = {"text": text, "shift_dates": True, "patient_id": _patient(backwards)}
    security = settings.security.model_copy(update={"deid_ner": "off"})
    rules_only = settings.model_copy(update={"security": security})
    with TestClient(create_app(rules_only)) as client:
        response = client.post("/v1/privacy/deidentify", json=body)
    assert response.status_code == 200, response.text
    assert "[DATE]" in response.json()["text"]
    assert response.json()["unshifted_dates"] == 1
