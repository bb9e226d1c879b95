"""The uvicorn access log configuration keeps patient ids out of logged request lines."""

from __future__ import annotations

import logging
import logging.config

import pytest

from medlm.service.logs import LOG_CONFIG, RedactPatientIds, redact_path


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/v1/patients/p-17/vitals", "/v1/patients/{patient_id}/vitals"),
        ("/v1/patients/Zebulon%20Quixote/vitals?limit=5", "/v1/patients/{patient_id}/vitals?..."),
        ("/v1/alerts?patient_id=p-17", "/v1/alerts?..."),
        ("/v1/alerts/12/acknowledge", "/v1/alerts/12/acknowledge"),
        ("/health", "/health"),
    ],
)
def test_patient_segments_and_query_strings_are_redacted(path: str, logged: str) -> None:
    assert redact_path(path) == logged


def test_the_filter_rewrites_uvicorn_access_records() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/v1/patients/p-17/vitals?limit=1", "1.1", 200), None,
    )  # fmt: skip
    assert RedactPatientIds().filter(record)
    assert "p-17" not in record.getMessage()
    assert "/v1/patients/{patient_id}/vitals?..." in record.getMessage()


def test_the_log_config_is_valid_and_filters_the_access_handler() -> None:
    logging.config.dictConfig(LOG_CONFIG)
    handlers = logging.getLogger("uvicorn.access").handlers
    assert any(isinstance(f, RedactPatientIds) for h in handlers for f in h.filters)
