"""POST /v1/privacy/deidentify, PHI kept out of logs, errors and tracebacks, and the patients of
request bodies named in the audit trail."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import medlm.service.routers.privacy as privacy_router
from medlm.privacy.auth import Role, issue_token
from medlm.service.app import create_app
from medlm.service.services import services_of
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


def _last_audit_entry(client: TestClient) -> tuple[str, str | None, int]:
    import sqlalchemy as sa

    from medlm.storage.tables import AuditEntry

    engine = services_of(client.app).engine
    with engine.connect() as conn:
        entry = conn.execute(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None
    return entry.route, entry.patient_id, entry.outcome


def test_risk_treatment_and_text_bodies_name_their_patients_in_the_audit(
    settings: Settings,
) -> None:
    from medlm.datasets import load
    from medlm.risk import DiseaseRiskPredictor, from_dataset

    data = from_dataset("pima")
    model = DiseaseRiskPredictor(name="pima-diabetes", outcome="diabetes")
    model.fit(data.features, data.target)  # type: ignore[arg-type]
    model.save(Path(settings.data_dir) / "risk-models" / "diabetes")
    records = [r.model_dump(mode="json") for r in load("pima").to_records(limit=3)]
    client = TestClient(create_app(settings))
    calls = [
        ("/v1/risk/diabetes/predict", {"records": records[::-1]}, "pima-0001,pima-0002,pima-0003"),
        ("/v1/risk/diabetes/predict", {"record": records[1]}, "pima-0002"),
        ("/v1/treatment/recommend", {"record": records[0]}, "pima-0001"),
        ("/v1/text/extract", {"note": {"patient_id": "p-note", "text": NOTE}}, "p-note"),
    ]
    for path, body, expected in calls:
        response = client.post(path, json=body)
        assert response.status_code == 200, (path, response.text)
        assert _last_audit_entry(client) == (
            f"POST {path.replace('diabetes', '{model}')}",
            expected,
            200,
        )
    client.post("/v1/text/extract", json={"text": NOTE})  # no patient in the body
    assert _last_audit_entry(client)[1] is None
    assert services_of(client.app).audit.verify().ok is True


def test_audit_verify_answers_the_typed_report_documented_in_openapi(client: TestClient) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    admin, _ = issue_token(settings.security, "root", Role.ADMIN)
    headers = {"Authorization": f"Bearer {admin}"}
    client.get("/v1/privacy/audit/verify", headers=headers)  # the trail has an entry now
    report = client.get("/v1/privacy/audit/verify", headers=headers).json()
    assert report["status"] in {"intact", "unkeyed"} and report["ok"] is True
    openapi = client.get("/openapi.json").json()
    answer = openapi["paths"]["/v1/privacy/audit/verify"]["get"]["responses"]["200"]
    schema = answer["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/AuditVerification"}
    documented = openapi["components"]["schemas"]["AuditVerification"]["properties"]
    assert set(report) <= set(documented)
