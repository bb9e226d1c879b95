"""The ward board: rows sorted by alert level and NEWS2, trends, stale sets, pseudonyms for
researchers, acknowledging alerts (NEWS2 and glucose) with a note, and the live event stream."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.service.app import create_app
from medlm.settings import Settings
from medlm.storage.tables.monitor import StoredAlert
from medlm.storage.tables.privacy import AuditEntry
from medlm.storage.tables.web import WebAlertNote
from medlm.web import accounts
from medlm.web.accounts import AccountStore
from medlm.web.auth import WebSettings
from medlm.web.board_data import BoardState, pseudonym
from medlm.web.router import web_router
from medlm.web.routes import board as board_route

NOW = datetime.now(UTC).replace(microsecond=0)
PASSWORD = "correct horse battery"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # test speed only


def vital_set(pid: str, hours_ago: float, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "patient_id": pid, "time": (NOW - timedelta(hours=hours_ago)).isoformat(),
        "respiratory_rate": 16, "spo2": 97, "on_oxygen": False, "systolic_bp": 125,
        "heart_rate": 72, "consciousness": "A", "temperature_c": 37.0,
    }  # fmt: skip
    return base | changes


class GlucoseStub:
    """Records which patients' glucose alerts were acknowledged."""

    def __init__(self) -> None:
        self.acknowledged: list[str] = []

    def acknowledge(self, patient_id: str) -> None:
        self.acknowledged.append(patient_id)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("board")))
    app.include_router(web_router)
    with pytest.MonkeyPatch.context() as patch, TestClient(app) as client:
        patch.setattr(accounts, "PasswordHasher", lambda: FAST)
        engine = app.state.services.engine
        for name, role in (("nurse", Role.CLINICIAN), ("analyst", Role.RESEARCHER)):
            CredentialStore(engine).create_user(name, role)
            AccountStore(engine).set_password(name, PASSWORD)
        sets = [
            vital_set("calm", 30),  # older than the monitor window: stale
            vital_set("sick", 2, respiratory_rate=18, heart_rate=100),
            vital_set("sick", 1, respiratory_rate=26, spo2=91, heart_rate=95, temperature_c=38.5),
            vital_set("mild", 0.5, respiratory_rate=22),
        ]
        assert client.post("/v1/vitals", json={"vitals": sets}).status_code == 200
        app.state.services.glucose = GlucoseStub()
        yield app


def signed_in(app: FastAPI, name: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"username": name, "password": PASSWORD, "csrf_token": token.group(1), "next": "/"}
    response = client.post("/signin", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def patient_order(html: str) -> list[str]:
    return re.findall(r'<a href="/patients/([^"]+)">', html)


def test_board_lists_patients_most_urgent_first(app: FastAPI) -> None:
    html = signed_in(app, "nurse").get("/").text
    assert patient_order(html) == ["sick", "mild", "calm"]


def test_board_shows_trend_arrows_against_the_previous_set(app: FastAPI) -> None:
    html = signed_in(app, "nurse").get("/board/table").text
    sick_row = html[html.index('href="/patients/sick"') : html.index('href="/patients/mild"')]
    assert sick_row.count("↑") == 2  # respiratory rate and temperature rose
    assert sick_row.count("↓") == 2  # SpO2 and pulse fell
    assert "→" in sick_row  # systolic BP unchanged


def test_a_set_older_than_the_monitor_window_is_marked_stale(app: FastAPI) -> None:
    html = signed_in(app, "nurse").get("/board/table").text
    calm_row = html[html.index('href="/patients/calm"') :]
    mild_row = html[html.index('href="/patients/mild"') : html.index('href="/patients/calm"')]
    assert 'class="stale"' in calm_row.split("</tr>")[0]
    assert 'class="stale"' not in mild_row


def test_news2_total_carries_its_band_colour(app: FastAPI) -> None:
    html = signed_in(app, "nurse").get("/board/table").text
    sick_row = html[html.index('href="/patients/sick"') : html.index('href="/patients/mild"')]
    assert re.search(r'class="band band-(medium|high)">\d+<', sick_row)


def test_researcher_sees_pseudonyms_and_no_acknowledge_form(app: FastAPI) -> None:
    html = signed_in(app, "analyst").get("/").text
    secret = app.state.services.settings.security.deid_secret.get_secret_value()
    assert pseudonym("sick", secret) in html
    assert f'href="/patients/{pseudonym("sick", secret)}"' in html
    assert "/patients/sick" not in html and ">sick<" not in html
    assert "/acknowledge" not in html


def test_researcher_board_shows_ages_but_no_dates(app: FastAPI) -> None:
    insert_alert(app, "mild", "news2", 3)
    html = signed_in(app, "analyst").get("/board/table").text
    assert "ago" in html and "raised" in html
    assert re.search(r"\b20\d\d\b", html) is None


def test_board_view_is_audited_with_the_patients_shown(app: FastAPI) -> None:
    signed_in(app, "nurse").get("/")
    with app.state.services.engine.connect() as conn:
        last = conn.execute(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last is not None and last.actor == "nurse" and last.route == "GET /"
    assert last.patient_id == "calm,mild,sick"


def _open_alert_ids(app: FastAPI, pid: str) -> list[int]:
    with app.state.services.engine.connect() as conn:
        rows = conn.execute(
            sa.select(StoredAlert.id).where(
                StoredAlert.patient_id == pid, StoredAlert.acknowledged_at.is_(None)
            )
        ).all()
    return [r.id for r in rows]


def test_acknowledging_needs_the_csrf_token(app: FastAPI) -> None:
    client = signed_in(app, "nurse")
    alert_id = _open_alert_ids(app, "sick")[0]
    response = client.post(f"/board/alerts/{alert_id}/acknowledge", data={"note": "seen"})
    assert response.status_code == 403
    assert alert_id in _open_alert_ids(app, "sick")


def test_acknowledging_an_alert_keeps_the_note_and_is_audited(app: FastAPI) -> None:
    client = signed_in(app, "nurse")
    page = client.get("/").text
    alert_id = _open_alert_ids(app, "sick")[0]
    assert f"/board/alerts/{alert_id}/acknowledge" in page
    form = {"csrf_token": csrf_of(page), "note": "doctor informed"}
    response = client.post(f"/board/alerts/{alert_id}/acknowledge", data=form)
    assert response.status_code == 200 and f"/board/alerts/{alert_id}/" not in response.text
    assert alert_id not in _open_alert_ids(app, "sick")
    with app.state.services.engine.connect() as conn:
        note = conn.execute(sa.select(WebAlertNote).where(WebAlertNote.alert_id == alert_id)).one()
        audit = conn.execute(
            sa.select(AuditEntry).where(AuditEntry.route.startswith("POST /board/alerts"))
        ).one()
    assert note.note == "doctor informed" and note.user_name == "nurse"
    assert audit.action == "write" and audit.patient_id == "sick" and audit.actor == "nurse"


def insert_alert(app: FastAPI, pid: str, signal: str, minutes_ago: int) -> int:
    with app.state.services.engine.begin() as conn:
        return int(
            conn.execute(
                sa.insert(StoredAlert).values(
                    patient_id=pid, time=NOW - timedelta(minutes=minutes_ago), signal=signal,
                    kind="raised", level=2, previous_level=0, response=None,
                    reason="test alert", notify=True, created_at=NOW,
                )
            ).inserted_primary_key[0]
        )  # fmt: skip


def test_a_glucose_alert_is_shown_and_acknowledged_through_the_glucose_monitor(
    app: FastAPI,
) -> None:
    alert_id = insert_alert(app, "mild", "glucose", 1)
    client = signed_in(app, "nurse")
    page = client.get("/").text
    assert "Glucose" in page and f"/board/alerts/{alert_id}/acknowledge" in page
    form = {"csrf_token": csrf_of(page), "note": ""}
    assert client.post(f"/board/alerts/{alert_id}/acknowledge", data=form).status_code == 200
    assert app.state.services.glucose.acknowledged == ["mild"]


def test_researcher_cannot_acknowledge(app: FastAPI) -> None:
    client = signed_in(app, "analyst")
    csrf = csrf_of(client.get("/").text)
    alert_id = insert_alert(app, "calm", "news2", 2)
    response = client.post(f"/board/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf})
    assert response.status_code == 403
    assert alert_id in _open_alert_ids(app, "calm")


def test_unknown_alert_is_a_404(app: FastAPI) -> None:
    client = signed_in(app, "nurse")
    csrf = csrf_of(client.get("/").text)
    response = client.post("/board/alerts/999999/acknowledge", data={"csrf_token": csrf})
    assert response.status_code == 404


def test_event_stream_says_board_changed_when_the_state_changes(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    states = iter(BoardState(last_score_id=n, last_scored_at=None, last_alert_id=0, open_alerts=0)
                  for n in (1, 1, 2))  # fmt: skip
    monkeypatch.setattr(board_route, "board_state", lambda engine: next(states))
    monkeypatch.setattr(
        board_route,
        "web_settings",
        lambda services: WebSettings(board_poll_seconds=0.01),
    )
    client = signed_in(app, "nurse")
    with client.stream("GET", "/board/events?max_events=1") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    assert body.count("event: board") == 1 and ": keep-alive" in body


def test_a_new_set_changes_the_board_state(app: FastAPI) -> None:
    engine = app.state.services.engine
    before = board_route.board_state(engine)
    client = signed_in(app, "nurse")
    client.post("/v1/vitals", json={"vitals": [vital_set("new", 0.1)]})
    assert board_route.board_state(engine) != before
    assert "new" in patient_order(client.get("/board/table").text)


def test_the_board_without_a_session_redirects_to_sign_in(app: FastAPI) -> None:
    response = TestClient(app).get("/board/table", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")
