"""The patient's alerts on the chart (open ones with the board's acknowledgement form, recently
acknowledged ones with who, when and the note) and every time on board and chart shown in the
ward's zone (`web.time_zone`) with the zone named."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pydantic
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.service.app import create_app
from medlm.service.services import services_of
from medlm.settings import Settings
from medlm.storage.tables.monitor import StoredAlert
from medlm.storage.tables.privacy import AuditEntry
from medlm.web.accounts import AccountStore, WebUser
from medlm.web.auth import SESSION_COOKIE
from medlm.web.router import web_router
from medlm.web.settings import WebSettings

# 03:30 UTC today (yesterday before 03:30): 11:30 in Shanghai, another hour on the clock.
ALERT_TIME = datetime.now(UTC).replace(hour=3, minute=30, second=0, microsecond=0)
if datetime.now(UTC) < ALERT_TIME:
    ALERT_TIME -= timedelta(days=1)


@pytest.fixture
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("chart_alerts"),
        web=WebSettings(time_zone="Asia/Shanghai"),
    )
    app = create_app(settings)
    app.include_router(web_router)
    with TestClient(app):
        yield app


def client_as(app: FastAPI, name: str, role: Role) -> tuple[TestClient, str]:
    engine = services_of(app).engine
    CredentialStore(engine).create_user(name, role)
    session, csrf = AccountStore(engine).open_session(
        WebUser(name=name, role=role), timedelta(hours=1)
    )
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, session)
    return client, csrf


def store_alert(app: FastAPI, patient_id: str, **values: object) -> int:
    row = {
        "patient_id": patient_id, "time": ALERT_TIME, "signal": "glucose", "kind": "raised",
        "level": 4, "previous_level": 0, "response": "level 1 hypoglycaemia",
        "reason": "level 1 hypoglycaemia: glucose 56 mg/dL (3.1 mmol/L)", "notify": True,
        "created_at": ALERT_TIME, "value": 3.1, "unit": "mmol/L", "threshold": 3.885,
        "source": "capillary",
    } | values  # fmt: skip
    with services_of(app).engine.begin() as conn:
        return int(conn.execute(sa.insert(StoredAlert).values(**row)).inserted_primary_key[0])


def test_the_chart_lists_the_open_alert_with_its_value_in_chinese(app: FastAPI) -> None:
    store_alert(app, "g1")
    client, _ = client_as(app, "nurse", Role.CLINICIAN)
    html = client.get("/patients/g1?lang=zh_CN").text
    assert "血糖警报已发出：1级低血糖。数值：3.1 mmol/L；阈值：3.9 mmol/L。" in html
    assert 'name="back" value="chart"' in html and 'name="csrf_token"' in html


def test_the_chart_lists_only_that_patients_alerts(app: FastAPI) -> None:
    store_alert(app, "other", reason="someone else's alert")
    store_alert(app, "g1")
    client, _ = client_as(app, "nurse", Role.CLINICIAN)
    html = client.get("/patients/g1").text
    assert "someone else&#39;s alert" not in html and "3.1 mmol/L" in html


def test_a_patient_without_alerts_says_so(app: FastAPI) -> None:
    store_alert(app, "g1")
    client, _ = client_as(app, "nurse", Role.CLINICIAN)
    client.get("/patients/g1")  # a chart exists because the alert does
    with services_of(app).engine.begin() as conn:
        conn.execute(sa.update(StoredAlert).values(acknowledged_at=datetime.now(UTC)))
    html = client.get("/patients/g1").text
    assert "No unacknowledged alerts." in html


def test_acknowledging_from_the_chart_returns_to_it_and_shows_who_when_and_the_note(
    app: FastAPI,
) -> None:
    alert_id = store_alert(app, "g1")
    client, csrf = client_as(app, "nurse.li", Role.CLINICIAN)
    form = {"csrf_token": csrf, "note": "juice given", "back": "chart"}
    response = client.post(f"/board/alerts/{alert_id}/acknowledge", data=form)
    assert response.status_code == 303 and response.headers["location"] == "/patients/g1"
    html = client.get("/patients/g1?lang=zh_CN").text
    acknowledged = html.split("本时间窗内已确认的警报", 1)[1]
    assert "已由nurse.li于" in acknowledged and "juice given" in acknowledged
    assert f"/board/alerts/{alert_id}/acknowledge" not in html
    with services_of(app).engine.connect() as conn:
        who = conn.execute(sa.select(StoredAlert.acknowledged_by)).scalar_one()
        audit = conn.execute(
            sa.select(AuditEntry).where(AuditEntry.route.startswith("POST /board/alerts"))
        ).one()
    assert who == "nurse.li" and audit.patient_id == "g1" and audit.actor == "nurse.li"


def test_acknowledging_from_the_chart_needs_the_csrf_token(app: FastAPI) -> None:
    alert_id = store_alert(app, "g1")
    client, _ = client_as(app, "nurse", Role.CLINICIAN)
    response = client.post(f"/board/alerts/{alert_id}/acknowledge", data={"back": "chart"})
    assert response.status_code == 403


def test_a_back_value_other_than_board_or_chart_is_refused(app: FastAPI) -> None:
    alert_id = store_alert(app, "g1")
    client, csrf = client_as(app, "nurse", Role.CLINICIAN)
    form = {"csrf_token": csrf, "back": "https://elsewhere.example"}
    assert client.post(f"/board/alerts/{alert_id}/acknowledge", data=form).status_code == 422


def test_the_researchers_chart_lists_no_alerts(app: FastAPI) -> None:
    from medlm.web.board_data import pseudonym

    store_alert(app, "g1")
    client, _ = client_as(app, "analyst", Role.RESEARCHER)
    secret = services_of(app).settings.security.deid_secret.get_secret_value()
    html = client.get(f"/patients/{pseudonym('g1', secret)}").text
    assert "3.1 mmol/L" not in html and "/acknowledge" not in html


def _shanghai(when: datetime) -> str:
    local = when + timedelta(hours=8)
    return f"{local:%H}:{local:%M}"


def test_board_and_chart_show_times_in_the_ward_zone_with_the_zone_named(app: FastAPI) -> None:
    store_alert(app, "g1")
    client, _ = client_as(app, "nurse", Role.CLINICIAN)
    board = client.get("/?lang=en").text
    chart = client.get("/patients/g1?lang=en").text
    for html in (board, chart):
        assert "Times are shown in Asia/Shanghai." in html
        assert re.search(rf"{int(_shanghai(ALERT_TIME)[:2]) % 12 or 12}:30:00\s[AP]M \+0800", html)
        assert "UTC" not in re.sub(r"<details.*?</details>", "", html, flags=re.S)


def test_an_unknown_time_zone_is_refused_naming_the_setting_and_value() -> None:
    with pytest.raises(pydantic.ValidationError, match=r"web\.time_zone 'Mars/Olympus'"):
        WebSettings(time_zone="Mars/Olympus")


def test_the_default_zone_is_utc() -> None:
    assert WebSettings().time_zone == "UTC" and str(WebSettings().zone) == "UTC"


def test_an_alert_acknowledged_through_the_api_shows_the_callers_name(app: FastAPI) -> None:
    alert_id = store_alert(app, "g1")
    client, _ = client_as(app, "nurse", Role.CLINICIAN)
    assert client.post(f"/v1/alerts/{alert_id}/acknowledge").status_code == 200
    html = client.get("/patients/g1").text
    assert "Acknowledged by dev-loopback at" in html  # the test app's loopback principal
