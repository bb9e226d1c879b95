"""The researcher's de-identified chart: reached by the board pseudonym, no real id, name or
date, ages over 89 as 90+, notes de-identified; the clinician's chart keeps them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from medlm.monitor.vitals import VitalSigns
from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.records import ClinicalNote, Patient, PatientRecord, Sex
from medlm.records.fhir import to_bundle
from medlm.service.app import create_app
from medlm.service.services import services_of
from medlm.settings import Settings
from medlm.web.accounts import AccountStore, WebUser
from medlm.web.auth import SESSION_COOKIE
from medlm.web.board_data import pseudonym
from medlm.web.components.deid_chart import age_text, hours_ago
from medlm.web.router import web_router

REAL_ID = "MRN-4471"
BIRTH = date(1931, 5, 2)
NOTE = "Seen by Dr. John Smith on 2024-03-05 at 12 Elm Street. Denies chest pain."


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    app.include_router(web_router)
    with TestClient(app, follow_redirects=False) as test_client:
        record = PatientRecord(
            patient=Patient(id=REAL_ID, birth_date=BIRTH, sex=Sex.MALE),
            notes=[ClinicalNote(patient_id=REAL_ID, text=NOTE, date=datetime(2024, 3, 5))],
        )
        response = test_client.post("/v1/records/ingest", json=to_bundle([record]))
        assert response.status_code == 200, response.text
        now = datetime.now(UTC)
        sets = [
            VitalSigns(
                patient_id=REAL_ID, time=now - timedelta(hours=h), respiratory_rate=20, spo2=96,
                on_oxygen=False, systolic_bp=120, heart_rate=80, consciousness="A",
                temperature_c=37.0,
            )
            for h in (1, 2, 3)
        ]  # fmt: skip
        services = services_of(app)
        with services.vitals.lock:
            services.vitals.durable.ingest(sets, source="test")
        yield test_client


def sign_in(client: TestClient, name: str, role: Role) -> None:
    engine = services_of(client.app).engine
    CredentialStore(engine).create_user(name, role)
    session_id, _csrf = AccountStore(engine).open_session(
        WebUser(name=name, role=role), timedelta(hours=1)
    )
    client.cookies.set(SESSION_COOKIE, session_id)


def shown_id(client: TestClient) -> str:
    secret = services_of(client.app).settings.security.deid_secret
    return pseudonym(REAL_ID, secret.get_secret_value())


def test_researcher_reaches_the_chart_from_the_board_pseudonym(client: TestClient) -> None:
    sign_in(client, "res", Role.RESEARCHER)
    board = client.get("/board/table").text
    assert f'href="/patients/{shown_id(client)}"' in board
    response = client.get(f"/patients/{shown_id(client)}")
    assert response.status_code == 200, response.text
    assert shown_id(client) in response.text


def test_researcher_chart_has_no_real_id_name_or_date(client: TestClient) -> None:
    sign_in(client, "res", Role.RESEARCHER)
    html = client.get(f"/patients/{shown_id(client)}").text
    assert REAL_ID not in html
    assert "John Smith" not in html and "Elm Street" not in html
    text = html.replace("http://www.w3.org/2000/svg", "")  # the SVG namespace, not a date
    found = re.search(r"\b(19|20)\d\d\b", text)
    assert found is None, text[found.start() - 100 : found.end() + 50]
    assert "90+" in html
    assert "chest pain" in html  # the note itself is still shown


def test_a_real_id_or_unknown_pseudonym_is_refused_to_a_researcher(client: TestClient) -> None:
    sign_in(client, "res", Role.RESEARCHER)
    assert client.get(f"/patients/{REAL_ID}").status_code == 403
    assert client.get("/patients/P-0000000000").status_code == 403


def test_clinician_chart_still_shows_the_real_id_birth_date_and_note(client: TestClient) -> None:
    sign_in(client, "doc", Role.CLINICIAN)
    html = client.get(f"/patients/{REAL_ID}").text
    assert REAL_ID in html and "1931-05-02" in html and "John Smith" in html


@pytest.mark.parametrize(("age", "text"), [(None, None), (45.7, "45"), (89, "89"), (90, "90+")])
def test_ages_over_89_are_shown_as_90_plus(age: float | None, text: str | None) -> None:
    assert age_text(age) == text


def test_chart_ticks_are_hours_before_now() -> None:
    now = datetime(2030, 1, 1, 12, tzinfo=UTC)
    assert hours_ago(now, now - timedelta(hours=6)) == "-6 h"


def test_researcher_chart_view_is_audited_under_the_real_id(client: TestClient) -> None:
    from medlm.storage.tables import AuditEntry

    sign_in(client, "res", Role.RESEARCHER)
    assert client.get(f"/patients/{shown_id(client)}").status_code == 200
    table = AuditEntry.__table__
    with services_of(client.app).engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.route, table.c.patient_id, table.c.outcome).where(
                table.c.actor == "res"
            )
        ).all()
    assert [tuple(r) for r in rows] == [("GET /patients/{patient_id}", REAL_ID, 200)]


def test_an_age_over_89_in_a_risk_reason_is_generalized() -> None:
    from medlm.explain.contributions import Contribution
    from medlm.privacy.detector import PhiDetector
    from medlm.risk import RiskScore
    from medlm.web.components.deid_chart import deid_scores

    score = RiskScore(
        patient_id=REAL_ID, probability=0.5, tier=None, outcome="diabetes", model_name="m",
        model_version="1", family="logistic",
        reasons=[Contribution(feature="age", contribution=0.2, text="Age 93 raises the risk")],
    )  # fmt: skip
    (shown,) = deid_scores([score], PhiDetector(), "secret")
    assert "93" not in shown.reasons[0].text
