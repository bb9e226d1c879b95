"""The glucose monitor wired into the app: built with the other services, its alerts in the
shared alert list and stream, and acknowledgements routed to the monitor that raised them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.monitor.glucose.alerts import GlucoseMonitor
from medlm.service.app import create_app
from medlm.service.services import AppServices
from medlm.settings import Settings

LEVEL_2 = "level 2 hypoglycaemia"
T0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def services(app: FastAPI) -> AppServices:
    built = app.state.services
    assert isinstance(built, AppServices)
    return built


def low_run(patient: str, minutes: int = 20, mg_dl: float = 50) -> dict:
    """CGM readings every 5 minutes at `mg_dl` for `minutes` minutes."""
    readings = [
        {
            "patient_id": patient,
            "time": (T0 + timedelta(minutes=m)).isoformat(),
            "glucose": mg_dl,
            "unit": "mg/dL",
            "source": "cgm",
        }
        for m in range(0, minutes + 1, 5)
    ]
    return {"readings": readings}


def test_the_app_builds_the_glucose_monitor_of_its_settings(
    app: FastAPI, client: TestClient
) -> None:
    glucose = services(app).glucose
    assert isinstance(glucose.monitor, GlucoseMonitor)
    assert glucose.monitor.settings == app.state.settings.monitor.glucose


def test_glucose_settings_come_from_the_monitor_section_of_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDLM_MONITOR__GLUCOSE__MIN_LEVEL", "3")
    monkeypatch.setenv("MEDLM_MONITOR__GLUCOSE__WINDOW", "PT12H")
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app):
        glucose = services(app).glucose
    assert glucose.monitor.settings.min_level == 3  # type: ignore[union-attr]
    assert glucose.window == timedelta(hours=12)


def test_twenty_minutes_at_50_raise_a_level_2_alert_listed_streamed_and_acknowledged(
    app: FastAPI, client: TestClient
) -> None:
    answer = client.post("/v1/glucose", json=low_run("gs1"))
    assert answer.status_code == 200, answer.text
    responses = [a["response"] for a in answer.json()["alerts"]]
    assert responses == [LEVEL_2], responses

    listed = client.get("/v1/alerts", params={"patient_id": "gs1"}).json()
    assert [(a["alert"]["signal"], a["alert"]["response"]) for a in listed] == [
        ("glucose", LEVEL_2)
    ]
    alert_id = listed[0]["id"]

    with client.stream(
        "GET", "/v1/alerts/stream", params={"after_id": alert_id - 1, "max_events": 1}
    ) as stream:
        text = "".join(stream.iter_text())
    streamed = json.loads(text.split("data: ", 1)[1].split("\n", 1)[0])
    assert (streamed["patient_id"], streamed["response"]) == ("gs1", LEVEL_2)

    glucose_policy = services(app).glucose.monitor.policy  # type: ignore[union-attr]
    before = glucose_policy.export_state("gs1", "glucose")
    assert before is not None and not before.acknowledged

    acked = client.post(f"/v1/alerts/{alert_id}/acknowledge")
    assert acked.status_code == 200, acked.text
    assert acked.json() == {
        "id": alert_id,
        "patient_id": "gs1",
        "signal": "glucose",
        "acknowledged": True,
    }
    assert glucose_policy.export_state("gs1", "glucose").acknowledged
    news2_policy = services(app).vitals.durable.policy
    assert news2_policy.export_state("gs1", "glucose") is None  # the vital-sign policy untouched


def test_a_news2_alert_is_acknowledged_in_the_vital_sign_policy(
    app: FastAPI, client: TestClient
) -> None:
    critical = {
        "patient_id": "vs1",
        "time": T0.isoformat(),
        "respiratory_rate": 30,
        "spo2": 85,
        "systolic_bp": 85,
        "heart_rate": 135,
        "consciousness": "V",
        "temperature_c": 39.5,
    }
    assert client.post("/v1/vitals", json={"vitals": [critical]}).status_code == 200
    (row,) = client.get("/v1/alerts", params={"patient_id": "vs1"}).json()
    assert client.post(f"/v1/alerts/{row['id']}/acknowledge").json()["signal"] == "news2"
    policy = services(app).vitals.durable.policy
    assert policy.export_state("vs1").acknowledged  # type: ignore[union-attr]


def test_acknowledging_an_unknown_alert_is_a_404(client: TestClient) -> None:
    assert client.post("/v1/alerts/999999/acknowledge").status_code == 404


def test_a_researcher_may_not_post_glucose(settings: Settings) -> None:
    from medlm.privacy.auth import Role
    from medlm.privacy.credentials import CredentialStore
    from medlm.storage.engine import make_engine
    from medlm.storage.migrate import upgrade

    closed = Settings.model_validate(
        settings.model_dump() | {"security": {"dev_no_auth_loopback": False}}
    )
    engine = make_engine(closed)
    upgrade(engine)
    store = CredentialStore(engine)
    store.create_user("r1", Role.RESEARCHER)
    key, _ = store.create_api_key("r1")
    engine.dispose()
    with TestClient(create_app(closed)) as client:
        response = client.post(
            "/v1/glucose", json=low_run("gs2"), headers={"Authorization": f"Bearer {key}"}
        )
    assert response.status_code == 403
