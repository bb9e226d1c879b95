"""POST /v1/privacy/deidentify, and PHI kept out of logs, errors and tracebacks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import medlm.service.routers.privacy as privacy_router
from medlm.privacy.auth import Role, issue_token
from medlm.service.app import create_app
from medlm.settings import Settings

PHI = ("Marisol Ferndale", "402-19-8877", "4417 Old Kettle")
NOTE = f"Pt {PHI[0]}, SSN {PHI[1]}, lives at {PHI[2]} Rd, Fresno, CA 93726."


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(
        data_dir=tmp_path / "d",
        security={"dev_no_auth_loopback": False, "jwt_secret": "s" * 40},
    )
    token, _ = issue_token(settings.security, "doc", Role.CLINICIAN)
    return TestClient(
        create_app(settings),
        headers={"Authorization": f"Bearer {token}"},
        raise_server_exceptions=False,
    )


def test_deidentify_returns_text_and_spans(client: TestClient) -> None:
    body = client.post("/v1/privacy/deidentify", json={"text": NOTE, "operator": "mask"}).json()
    assert not any(p in body["text"] for p in PHI)
    assert {s["label"] for s in body["spans"]} >= {"NAME", "SSN", "STREET", "CITY", "ZIP"}
    assert body["text"].endswith("CA 937.")


def test_error_paths_keep_phi_out_of_logs_and_responses(
    client: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    responses = [
        client.post("/v1/privacy/deidentify", json={"text": NOTE, "operator": NOTE}),
        client.post("/v1/privacy/deidentify", json={"text": [NOTE]}),
        client.post(
            "/v1/privacy/deidentify",
            content=NOTE.encode(),
            headers={"content-type": "application/json"},
        ),
        client.post(
            "/v1/privacy/deidentify",
            json={"text": NOTE},
            headers={"Authorization": f"Bearer {NOTE}"},
        ),
    ]

    def explode(text: str, config: object) -> None:
        raise ValueError(f"could not handle {text}")

    monkeypatch.setattr(privacy_router, "deidentify", explode)
    responses.append(client.post("/v1/privacy/deidentify", json={"text": NOTE}))
    assert [r.status_code for r in responses] == [422, 422, 422, 401, 500]
    for response in responses:
        assert not any(p in response.text for p in PHI), response.text
    for record in caplog.records:
        message = record.getMessage() + (str(record.exc_info) if record.exc_info else "")
        assert not any(p in message for p in PHI), message
