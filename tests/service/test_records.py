"""POST /v1/records/validate: normalized records and the rejection report for a FHIR bundle."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from medlm.records import CodeSystem, Coding, Observation, Patient, PatientRecord, Sex
from medlm.records.fhir import to_bundle
from medlm.service.app import create_app
from medlm.service.services import services_of
from medlm.settings import Settings


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


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
            )
        ],
    )
    return to_bundle([record])


def test_valid_bundle_returns_records_and_no_rejections(client: TestClient) -> None:
    response = client.post("/v1/records/validate", json=_bundle())
    assert response.status_code == 200
    body = response.json()
    assert body["patients"] == 1 and body["rejections"] == []
    (obs,) = body["records"][0]["observations"]
    assert (obs["original_value"], obs["original_unit"]) == (5.4, "mmol/L")  # normalized
    assert body["records"][0]["patient"]["age"] == 61


def test_bad_resource_is_reported_with_its_field_path(client: TestClient) -> None:
    bundle = _bundle()
    bundle["entry"][1]["resource"]["valueQuantity"]["value"] = "5,4"
    body = client.post("/v1/records/validate", json=bundle).json()
    assert body["rejection_count"] == 1
    assert body["rejections"][0]["field"] == "Observation.valueQuantity.value"
    assert body["counts"]["Observation"] == {"accepted": 0, "rejected": 1, "held_back": 0}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{nope", "not valid JSON"),
        (b"[]", "no patients found"),
        (json.dumps({"resourceType": "Bundle", "type": "collection"}).encode(), "empty"),
    ],
)
def test_unreadable_body_is_422_with_the_reason(
    client: TestClient, content: bytes, message: str
) -> None:
    response = client.post(
        "/v1/records/validate", content=content, headers={"content-type": "application/fhir+json"}
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_validate_route_documents_its_bundle_body(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/records/validate"]["post"]
    assert "application/fhir+json" in operation["requestBody"]["content"]


def _phi_bundle() -> dict:
    from datetime import UTC, date, datetime

    from medlm.records import ClinicalNote

    records = [
        PatientRecord(
            patient=Patient(id=pid, birth_date=date(1931, 2, 17), sex=Sex.MALE),
            notes=[
                ClinicalNote(
                    patient_id=pid,
                    text="Pt Arvid Lindqvist, MRN 8844211, 4 Birch Lane; seen by Dr Quist.",
                    date=datetime(2025, 3, 14, 9, 0, tzinfo=UTC),
                )
            ],
        )
        for pid in ("p-ing-2", "p-ing-1")
    ]
    return to_bundle(records)


def test_ingest_stores_records_encrypted_and_audits_every_patient(
    client: TestClient, settings: Settings
) -> None:
    import sqlalchemy as sa

    from medlm.storage.repository import load_patient
    from medlm.storage.tables import AuditEntry

    response = client.post("/v1/records/ingest", json=_phi_bundle())
    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted(body["patient_ids"]) == ["p-ing-1", "p-ing-2"]
    assert body["resources_accepted"] == 2
    engine = services_of(client.app).engine
    stored = load_patient(engine, "p-ing-1")
    assert stored is not None and "Lindqvist" in stored.notes[0].text
    with engine.connect() as conn:
        entry = conn.execute(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None and entry.route == "POST /v1/records/ingest"
    assert entry.patient_id == "p-ing-1,p-ing-2"
    engine.dispose()
    raw = b"".join(p.read_bytes() for p in settings.data_dir.iterdir() if p.is_file())
    for phi in (b"Lindqvist", b"8844211", b"Birch Lane", b"Quist", b"1931-02-17"):
        assert phi not in raw, phi


def test_ingest_without_a_key_answers_503_and_stores_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from medlm.settings import SecuritySettings

    settings = Settings(
        data_dir=tmp_path / "nokey",
        security=SecuritySettings(dev_no_auth_loopback=True),
    )
    response = TestClient(create_app(settings)).post("/v1/records/ingest", json=_phi_bundle())
    assert response.status_code == 503
    assert "no encryption key configured" in response.json()["detail"]
    assert "Lindqvist" not in response.text


def test_validate_audits_the_patients_of_the_bundle(client: TestClient) -> None:
    import sqlalchemy as sa

    from medlm.storage.tables import AuditEntry

    assert client.post("/v1/records/validate", json=_phi_bundle()).status_code == 200
    engine = services_of(client.app).engine
    with engine.connect() as conn:
        entry = conn.execute(sa.select(AuditEntry)).first()
    assert entry is not None and entry.patient_id == "p-ing-1,p-ing-2"


@pytest.mark.parametrize("route", ["/v1/records/validate", "/v1/records/ingest"])
def test_more_bundle_entries_than_the_batch_limit_is_a_413_naming_the_setting(
    settings: Settings, route: str
) -> None:
    from medlm.settings import LimitsSettings

    limited = settings.model_copy(update={"limits": LimitsSettings(max_batch_items=1)})
    bundle = _bundle()
    assert len(bundle["entry"]) > 1
    with TestClient(create_app(limited)) as client:
        response = client.post(route, json=bundle)
    assert response.status_code == 413
    assert "MEDLM_LIMITS__MAX_BATCH_ITEMS" in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_a_thousand_nested_brackets_are_a_4xx_not_a_500(
    client: TestClient, content_type: str
) -> None:
    body = "[" * 1000 + "]" * 1000
    response = client.post(
        "/v1/records/validate", content=body, headers={"content-type": content_type}
    )
    assert 400 <= response.status_code < 500, response.text
