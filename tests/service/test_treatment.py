"""POST /v1/treatment/recommend."""

from __future__ import annotations

import importlib.util
import time

import pytest
from fastapi.testclient import TestClient

from medlm.service.app import create_app
from medlm.settings import Settings

LOINC = "http://loinc.org"


def _record(egfr: float) -> dict[str, object]:
    return {
        "patient": {"id": "p1", "age": 64, "sex": "male"},
        "observations": [
            {
                "patient_id": "p1",
                "code": {"system": LOINC, "code": "62238-1"},
                "value": egfr,
                "unit": "mL/min/{1.73_m2}",
            }
        ],
        "medication_statements": [{"patient_id": "p1", "name": "metformin"}],
    }


def test_recommend_returns_report_and_fhir(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/v1/treatment/recommend", json={"record": _record(25), "include_fhir": True}
        )
    assert response.status_code == 200, response.text
    body = response.json()
    issue = body["report"]["issues"][0]
    assert (issue["kind"], issue["severity"], issue["drugs"]) == (
        "contraindication",
        "high",
        ["metformin"],
    )
    assert body["fhir"]["resourceType"] == "Bundle"
    assert "not a medical device" in body["report"]["disclaimer"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({}, 422),
        ({"record": _record(25), "bundle": {"resourceType": "Bundle"}}, 422),
    ],
)
def test_bad_requests_are_422(settings: Settings, payload: dict[str, object], status: int) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/treatment/recommend", json=payload).status_code == status


def test_a_deceased_patient_is_refused_naming_the_date_of_death(settings: Settings) -> None:
    record = _record(25)
    record["patient"] = {
        "id": "p1",
        "birth_date": "1870-03-02",
        "deceased": True,
        "deceased_on": "1981-06-30",
    }
    with TestClient(create_app(settings)) as client:
        response = client.post("/v1/treatment/recommend", json={"record": record})
    assert response.status_code == 422
    assert "died on 1981-06-30" in response.json()["detail"]


def test_warm_recommend_answers_within_the_cds_hooks_500_ms(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        client.post("/v1/treatment/recommend", json={"record": _record(40)})
        started = time.perf_counter()
        response = client.post("/v1/treatment/recommend", json={"record": _record(40)})
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed < 0.5


@pytest.mark.skipif(
    importlib.util.find_spec("medlm.records.fhir") is None,
    reason="needs medlm.records.fhir.read_bundle",
)
def test_recommend_reads_a_fhir_bundle(settings: Settings) -> None:
    subject = {"reference": "Patient/p1"}
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female"}},
            {
                "resource": {
                    "resourceType": "Condition",
                    "id": "c1",
                    "subject": subject,
                    "code": {
                        "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z33.1"}]
                    },
                }
            },
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "id": "m1",
                    "status": "active",
                    "subject": subject,
                    "medicationCodeableConcept": {"text": "Zestril"},
                }
            },
        ],
    }
    with TestClient(create_app(settings)) as client:
        response = client.post("/v1/treatment/recommend", json={"bundle": bundle})
    assert response.status_code == 200, response.text
    issues = response.json()["report"]["issues"]
    assert [(i["kind"], i["severity"], i["drugs"]) for i in issues] == [
        ("pregnancy", "high", ["lisinopril"])
    ]
