"""The chart's glucose line in the unit the newest reading was reported in (mmol/L readings are
drawn in mmol/L with the target range 3.9-10 mmol/L), so it reads like the alerts beside it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.service.app import create_app
from medlm.service.services import services_of
from medlm.settings import Settings
from medlm.web.accounts import AccountStore, WebUser
from medlm.web.auth import SESSION_COOKIE
from medlm.web.router import web_router


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app: FastAPI = create_app(settings)
    app.include_router(web_router)
    with TestClient(app, follow_redirects=False) as test_client:
        engine = services_of(app).engine
        CredentialStore(engine).create_user("nurse", Role.CLINICIAN)
        session, _ = AccountStore(engine).open_session(
            WebUser(name="nurse", role=Role.CLINICIAN), timedelta(hours=1)
        )
        test_client.cookies.set(SESSION_COOKIE, session)
        yield test_client


def post(client: TestClient, unit: str, values: list[float]) -> None:
    now = datetime.now(UTC)
    readings = [
        {"patient_id": "g1", "time": (now - timedelta(minutes=15 * (len(values) - i))).isoformat(),
         "glucose": v, "unit": unit, "source": "capillary"}
        for i, v in enumerate(values)
    ]  # fmt: skip
    assert client.post("/v1/glucose", json={"readings": readings}).status_code == 200


def glucose_svg(client: TestClient) -> str:
    html = client.get("/patients/g1").text
    match = re.search(r'<svg class="chart chart-glucose".*?</svg>', html, flags=re.S)
    assert match is not None, "no glucose chart"
    return match.group(0)


def test_mmol_l_readings_are_charted_in_mmol_l_with_the_target_in_mmol_l(
    client: TestClient,
) -> None:
    post(client, "mmol/L", [6.2, 7.4])
    svg = glucose_svg(client)
    assert 'data-low="3.9" data-high="10"' in svg
    assert "latest 7.4 mmol/L" in svg
    assert "Shaded: target range (mmol/L)." in client.get("/patients/g1").text


def test_mg_dl_readings_stay_in_mg_dl(client: TestClient) -> None:
    post(client, "mg/dL", [112, 133])
    svg = glucose_svg(client)
    assert 'data-low="70" data-high="180"' in svg and "latest 133 mg/dL" in svg
