"""The patient chart page: record, vital charts with NEWS2 bands, cards, notes, roles, audit."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.monitor.vitals import VitalSigns
from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.records import (
    ClinicalNote,
    CodeSystem,
    Coding,
    Condition,
    MedicationStatement,
    Patient,
    PatientRecord,
    Sex,
)
from medlm.records.fhir import to_bundle
from medlm.service.app import create_app
from medlm.service.services import services_of
from medlm.settings import Settings
from medlm.web.accounts import AccountStore, WebUser
from medlm.web.auth import SESSION_COOKIE
from medlm.web.router import web_router


def build_app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    app.include_router(web_router)  # includes the chart, trial and import pages
    return app


def sign_in(client: TestClient, app: FastAPI, name: str, role: Role) -> str:
    """Create `name` with `role`, open a session for it on `client`; returns the CSRF token."""
    engine = services_of(app).engine
    CredentialStore(engine).create_user(name, role)
    session_id, csrf = AccountStore(engine).open_session(
        WebUser(name=name, role=role), timedelta(hours=1)
    )
    client.cookies.set(SESSION_COOKIE, session_id)
    return csrf


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return build_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _record() -> PatientRecord:
    return PatientRecord(
        patient=Patient(id="p1", age=67, sex=Sex.FEMALE),
        conditions=[
            Condition(
                patient_id="p1",
                code=Coding(system=CodeSystem.SNOMED, code="44054006", display="Type 2 diabetes"),
            )
        ],
        medication_statements=[MedicationStatement(patient_id="p1", name="metformin")],
        notes=[ClinicalNote(patient_id="p1", text="Denies chest pain. History of asthma.")],
    )


def _sets(patient_id: str, end: datetime, hours: int, minutes: int = 15) -> list[VitalSigns]:
    count = hours * 60 // minutes
    return [
        VitalSigns(
            patient_id=patient_id,
            time=end - timedelta(minutes=minutes * i),
            respiratory_rate=18 + (i % 3) * 4,  # 18, 22, 26: scores 0, 2, 3
            spo2=96,
            on_oxygen=False,
            systolic_bp=120,
            heart_rate=80 + (i % 5) * 10,
            consciousness="A",
            temperature_c=37.0,
        )
        for i in range(count)
    ]


def _store(app: FastAPI, client: TestClient, sets: list[VitalSigns]) -> None:
    response = client.post("/v1/records/ingest", json=to_bundle([_record()]))
    assert response.status_code == 200, response.text
    services = services_of(app)
    with services.vitals.lock:
        services.vitals.durable.ingest(sets, source="test")


def test_chart_without_a_session_redirects_to_sign_in(client: TestClient) -> None:
    response = client.get("/patients/p1")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin")


def test_chart_shows_record_vital_charts_with_bands_and_highlighted_notes(
    app: FastAPI, client: TestClient
) -> None:
    sign_in(client, app, "nurse", Role.CLINICIAN)
    _store(app, client, _sets("p1", datetime.now(UTC) - timedelta(minutes=5), hours=6))
    response = client.get("/patients/p1")
    assert response.status_code == 200, response.text
    html = response.text
    assert "Type 2 diabetes" in html and "metformin" in html
    assert html.count('class="chart chart-vital"') == 5
    assert 'class="band band-3"' in html
    assert 'class="chart chart-score"' in html
    assert re.search(r'<mark class="entity entity-problem negated"[^>]*>chest pain', html)
    assert "http://" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", html)


def test_chart_window_keeps_only_the_sets_inside_it(app: FastAPI, client: TestClient) -> None:
    sign_in(client, app, "nurse", Role.CLINICIAN)
    now = datetime.now(UTC)
    _store(app, client, _sets("p1", now - timedelta(hours=30), hours=2, minutes=60))
    day = client.get("/patients/p1?hours=24").text
    three_days = client.get("/patients/p1?hours=72").text
    assert 'class="chart chart-vital"' not in day
    assert three_days.count('<circle class="point"') == 5 * 2
    assert 'aria-current="page">3 days' not in three_days  # plain hour labels
    assert re.search(r'href="\?hours=72" aria-current="page"', three_days)


def test_chart_refuses_a_window_it_does_not_offer(app: FastAPI, client: TestClient) -> None:
    sign_in(client, app, "nurse", Role.CLINICIAN)
    response = client.get("/patients/p1?hours=5")
    assert response.status_code == 422
    assert "hours" in response.text


def test_unknown_patient_answers_404(app: FastAPI, client: TestClient) -> None:
    sign_in(client, app, "nurse", Role.CLINICIAN)
    response = client.get("/patients/nobody")
    assert response.status_code == 404
    assert "nobody" in response.text


def test_researcher_is_refused_the_identified_chart_and_the_refusal_is_audited(
    app: FastAPI, client: TestClient
) -> None:
    sign_in(client, app, "res", Role.RESEARCHER)
    _store(app, client, _sets("p1", datetime.now(UTC), hours=1))
    response = client.get("/patients/p1")
    assert response.status_code == 403
    assert "Type 2 diabetes" not in response.text
    entries = _audit(app, "res")
    assert entries == [("GET /patients/{patient_id}", "p1", 403)]


def test_every_chart_view_is_audited_with_the_user_and_patient(
    app: FastAPI, client: TestClient
) -> None:
    sign_in(client, app, "nurse", Role.CLINICIAN)
    _store(app, client, _sets("p1", datetime.now(UTC), hours=1))
    client.get("/patients/p1")
    client.get("/patients/p1?hours=72")
    assert _audit(app, "nurse") == [("GET /patients/{patient_id}", "p1", 200)] * 2


def test_chart_is_in_chinese_with_accept_language(app: FastAPI, client: TestClient) -> None:
    sign_in(client, app, "nurse", Role.CLINICIAN)
    _store(app, client, _sets("p1", datetime.now(UTC), hours=1))
    html = client.get("/patients/p1", headers={"Accept-Language": "zh-CN"}).text
    assert "生命体征" in html and "Vital signs" not in html


def _audit(app: FastAPI, actor: str) -> list[tuple[str, str | None, int]]:
    from medlm.storage.tables import AuditEntry

    table = AuditEntry.__table__
    with services_of(app).engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.route, table.c.patient_id, table.c.outcome)
            .where(table.c.actor == actor)
            .order_by(table.c.seq)
        ).all()
    return [(r.route, r.patient_id, r.outcome) for r in rows]


def chart_render_ms(app: FastAPI, client: TestClient, repeats: int = 5) -> float:
    """Median milliseconds to render the 7-day chart of a patient with a week of 15-minute sets
    (the issue's target: under 300 ms)."""
    _store(app, client, _sets("p1", datetime.now(UTC) - timedelta(minutes=1), hours=168))
    client.get("/patients/p1?hours=168")  # warm: dictionaries, templates, catalogues
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get("/patients/p1?hours=168")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return sorted(timings)[len(timings) // 2]


@pytest.mark.slow
def test_a_week_of_15_minute_sets_is_charted_and_its_render_time_reported(
    app: FastAPI, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    sign_in(client, app, "nurse", Role.CLINICIAN)
    median = chart_render_ms(app, client)
    html = client.get("/patients/p1?hours=168").text
    assert html.count('<rect class="score ') >= 7 * 24 * 4 - 1
    with capsys.disabled():
        print(f"\nchart, 7 days of 15-minute sets: median {median:.0f} ms")


def test_glucose_chart_appears_with_its_target_range_when_readings_exist(
    app: FastAPI, client: TestClient
) -> None:
    from medlm.knowledge.glucose import load_glucose_thresholds

    sign_in(client, app, "nurse", Role.CLINICIAN)
    now = datetime.now(UTC)
    readings = [
        {
            "patient_id": "g1",
            "time": (now - timedelta(minutes=15 * i)).isoformat(),
            "glucose": 100 + 10 * i,
            "unit": "mg/dL",
            "source": "cgm",
        }
        for i in range(4)
    ]
    assert client.post("/v1/glucose", json={"readings": readings}).status_code == 200
    html = client.get("/patients/g1").text
    metrics = load_glucose_thresholds().metrics
    assert 'class="chart chart-glucose"' in html
    assert f'data-low="{metrics.in_range_low:g}" data-high="{metrics.in_range_high:g}"' in html
    assert html.count('<circle class="point"') == 4


def test_chart_shows_a_risk_card_and_treatment_safety_cards(settings: Settings) -> None:
    from pathlib import Path

    from medlm.datasets import load
    from medlm.risk import DiseaseRiskPredictor, from_dataset

    data = from_dataset("pima")
    model = DiseaseRiskPredictor(name="pima-diabetes", outcome="diabetes")
    model.fit(data.features, data.target)  # type: ignore[arg-type]
    model.save(Path(settings.data_dir) / "risk-models" / "diabetes")
    record = load("pima").to_records(limit=1)[0]
    pid = record.patient.id
    record = record.model_copy(
        update={
            "medication_statements": [
                MedicationStatement(patient_id=pid, name="warfarin"),
                MedicationStatement(patient_id=pid, name="aspirin"),
            ]
        }
    )
    app = build_app(settings)
    with TestClient(app, follow_redirects=False) as client:
        assert client.post("/v1/records/ingest", json=to_bundle([record])).status_code == 200
        sign_in(client, app, "doc", Role.CLINICIAN)
        html = client.get(f"/patients/{pid}").text
        chinese = client.get(f"/patients/{pid}?lang=zh_CN").text
    assert (
        "所引用的指南原文、文献标题、病历中书写的名称以及尚无审定译名的术语以英文显示。" in chinese
    )
    assert '<div class="detail" lang="en">' in chinese
    card = re.search(r'<article class="card risk-card tier-(\w+)".*?</article>', html, re.S)
    assert card is not None and card.group(1) in ("low", "medium", "high")
    assert "Glucose 148" in card.group(0)  # the top reason
    assert re.search(r'<article class="card cds-card indicator-(critical|warning)">', html)
    assert "warfarin" in html.split('id="treatment-heading"')[1]
