"""POST /v1/records/validate: normalized records and the rejection report for a FHIR bundle."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from medlm.records import CodeSystem, Coding, Observation, Patient, PatientRecord, Sex
from medlm.records.fhir import to_bundle
from medlm.service.app import create_app
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
    assert body["records"][0]["observations"][0]["value"] == 5.4
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
        (json.dumps({"resourceType": "Patient"}).encode(), "not a FHIR Bundle"),
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
