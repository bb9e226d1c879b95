"""The import page: FHIR bundle or CSV with a column map uploaded from the browser, stored,
and the ingest report shown (accepted, skipped, rejected with field paths)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.privacy.auth import Role
from medlm.privacy.credentials import CredentialStore
from medlm.records import CodeSystem, Coding, Observation, Patient, PatientRecord, Sex
from medlm.records.fhir import to_bundle
from medlm.service.app import create_app
from medlm.service.services import services_of
from medlm.settings import Settings
from medlm.storage.repository import load_patient
from medlm.web.accounts import AccountStore, WebUser
from medlm.web.auth import SESSION_COOKIE
from medlm.web.router import web_router

COLUMN_MAP = """
patient: {id: subject, sex: sex, sex_values: {F: female, M: male}, age: age}
observations:
  - column: glucose
    code: {system: "http://loinc.org", code: "2345-7", display: Glucose}
    unit: mg/dL
"""


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    app = create_app(settings)
    app.include_router(web_router)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _sign_in(client: TestClient, app: FastAPI, role: Role = Role.CLINICIAN) -> str:
    engine = services_of(app).engine
    CredentialStore(engine).create_user("doc", role)
    session_id, csrf = AccountStore(engine).open_session(
        WebUser(name="doc", role=role), timedelta(hours=1)
    )
    client.cookies.set(SESSION_COOKIE, session_id)
    return csrf


def _bundle() -> dict:
    record = PatientRecord(
        patient=Patient(id="p1", age=61, sex=Sex.FEMALE),
        observations=[
            Observation(
                id="o1",
                patient_id="p1",
                code=Coding(system=CodeSystem.LOINC, code="2345-7"),
                value=5.4,
                unit="mmol/L",
            ),
            Observation(
                id="o2",
                patient_id="p1",
                code=Coding(system=CodeSystem.LOINC, code="2345-7"),
                value=6.1,
                unit="mmol/L",
            ),
        ],
    )
    bundle = to_bundle([record])
    bundle["entry"][2]["resource"]["valueQuantity"]["value"] = "6,1"
    bundle["entry"].append({"resource": {"resourceType": "Encounter", "id": "e1"}})
    return bundle


def _csv_files(csv: bytes, column_map: bytes = COLUMN_MAP.encode()) -> dict:
    return {
        "csv_file": ("labs.csv", csv, "text/csv"),
        "column_map": ("map.yaml", column_map, "application/yaml"),
    }


def _post(client: TestClient, csrf: str, files: dict) -> tuple[int, str]:
    response = client.post("/import", data={"csrf_token": csrf}, files=files)
    return response.status_code, response.text


def test_fhir_upload_is_stored_and_the_report_shows_accepted_skipped_and_rejected(
    app: FastAPI, client: TestClient
) -> None:
    csrf = _sign_in(client, app)
    assert 'enctype="multipart/form-data"' in client.get("/import").text
    body = json.dumps(_bundle()).encode()
    status, html = _post(client, csrf, {"fhir_file": ("b.json", body, "application/json")})
    assert status == 200, html
    assert '<a href="/patients/p1">p1</a>' in html
    assert "<td>Observation</td><td>1</td><td>1</td>" in html
    assert "Encounter: 1" in html
    assert "<code>Observation.valueQuantity.value</code>" in html
    stored = load_patient(services_of(app).engine, "p1")
    assert stored is not None and len(stored.observations) == 1


def test_csv_upload_with_its_column_map_is_read_and_stored(
    app: FastAPI, client: TestClient
) -> None:
    csrf = _sign_in(client, app)
    csv = b"subject,sex,age,glucose\nc1,F,50,101\nc2,M,61,abc\n"
    status, html = _post(client, csrf, _csv_files(csv))
    assert status == 200, html
    assert "/patients/c1" in html and "/patients/c2" in html
    assert 'class="rejection"' in html and "glucose" in html
    assert load_patient(services_of(app).engine, "c1") is not None


def test_csv_without_a_column_map_answers_422_with_the_reason(
    app: FastAPI, client: TestClient
) -> None:
    csrf = _sign_in(client, app)
    status, html = _post(client, csrf, {"csv_file": ("labs.csv", b"a,b\n1,2\n", "text/csv")})
    assert status == 422
    assert "column map" in html


def test_a_column_map_with_a_bad_field_is_refused_naming_the_field(
    app: FastAPI, client: TestClient
) -> None:
    csrf = _sign_in(client, app)
    status, html = _post(client, csrf, _csv_files(b"subject\nx\n", b"patient: {id: [1, 2]}\n"))
    assert status == 422
    assert "map.yaml" in html and "patient.id" in html


def test_a_csv_lacking_a_mapped_column_answers_422_naming_the_uploaded_file(
    app: FastAPI, client: TestClient
) -> None:
    csrf = _sign_in(client, app)
    status, html = _post(client, csrf, _csv_files(b"subject,age\nc1,50\n"))
    assert status == 422
    assert "labs.csv" in html and "glucose" in html
    assert load_patient(services_of(app).engine, "c1") is None


def test_a_file_that_is_not_json_answers_422_naming_the_file(
    app: FastAPI, client: TestClient
) -> None:
    csrf = _sign_in(client, app)
    status, html = _post(client, csrf, {"fhir_file": ("x.json", b"{nope", "application/json")})
    assert status == 422
    assert "x.json" in html and "not valid JSON" in html


def test_import_without_csrf_token_is_refused_and_stores_nothing(
    app: FastAPI, client: TestClient
) -> None:
    _sign_in(client, app)
    body = json.dumps(_bundle()).encode()
    response = client.post("/import", files={"fhir_file": ("b.json", body, "application/json")})
    assert response.status_code == 403
    assert load_patient(services_of(app).engine, "p1") is None


def test_researcher_may_not_import(app: FastAPI, client: TestClient) -> None:
    csrf = _sign_in(client, app, Role.RESEARCHER)
    body = json.dumps(_bundle()).encode()
    status, _ = _post(client, csrf, {"fhir_file": ("b.json", body, "application/json")})
    assert status == 403
    assert load_patient(services_of(app).engine, "p1") is None


def test_import_is_audited_with_the_patients_stored(app: FastAPI, client: TestClient) -> None:
    from medlm.storage.tables import AuditEntry

    csrf = _sign_in(client, app)
    body = json.dumps(_bundle()).encode()
    _post(client, csrf, {"fhir_file": ("b.json", body, "application/json")})
    table = AuditEntry.__table__
    with services_of(app).engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.route, table.c.patient_id, table.c.action).where(
                table.c.actor == "doc"
            )
        ).all()
    assert [tuple(r) for r in rows] == [("POST /import", "p1", "write")]
