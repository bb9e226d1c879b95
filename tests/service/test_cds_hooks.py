"""CDS Hooks routes: discovery, request checks, and hook calls on FHIR prefetch."""

from __future__ import annotations

import importlib.util
import time

import pytest
from fastapi.testclient import TestClient

from medlm.service.app import create_app
from medlm.settings import Settings
from medlm.treatment import cds

needs_reader = pytest.mark.skipif(
    importlib.util.find_spec("medlm.records.fhir") is None,
    reason="needs medlm.records.fhir.read_bundle",
)


def test_discovery_lists_both_services(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        body = client.get("/cds-services").json()
    assert {s["id"]: s["hook"] for s in body["services"]} == {
        cds.PATIENT_VIEW: "patient-view",
        cds.ORDER_SIGN: "order-sign",
    }
    assert all({"title", "description", "prefetch"} <= set(s) for s in body["services"])


@pytest.mark.parametrize(
    ("service", "payload", "status"),
    [
        ("nope", {"hook": "patient-view", "hookInstance": "x"}, 404),
        (cds.PATIENT_VIEW, {"hook": "order-sign", "hookInstance": "x"}, 400),
        (
            cds.PATIENT_VIEW,
            {"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "p1"}},
            412,
        ),
        (cds.PATIENT_VIEW, {"hookInstance": "x"}, 422),
    ],
)
def test_bad_calls_get_the_cds_hooks_status(
    settings: Settings, service: str, payload: dict[str, object], status: int
) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.post(f"/cds-services/{service}", json=payload)
    assert response.status_code == status
    if status == 412:
        assert response.json()["resourceType"] == "OperationOutcome"


def _order_sign_call() -> dict[str, object]:
    patient = {"resourceType": "Patient", "id": "p1", "gender": "male", "birthDate": "1960-01-01"}
    genotype = {
        "resourceType": "Observation",
        "id": "g1",
        "status": "final",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "84413-4"}]},
        "valueCodeableConcept": {"text": "*2/*2"},
        "component": [
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "48018-6"}]},
                "valueCodeableConcept": {"text": "CYP2C19"},
            },
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": "53040-2"}]},
                "valueCodeableConcept": {"text": "Poor metabolizer"},
            },
        ],
    }
    order = {
        "resourceType": "MedicationRequest",
        "id": "o1",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": "clopidogrel 75 mg"},
    }
    return {
        "hook": "order-sign",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {
            "patientId": "p1",
            "userId": "Practitioner/1",
            "draftOrders": {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": order}],
            },
        },
        "prefetch": {
            "patient": patient,
            "observations": {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": genotype}],
            },
        },
    }


@needs_reader
def test_order_sign_on_clopidogrel_for_poor_metabolizer_is_critical_and_fast(
    settings: Settings,
) -> None:
    with TestClient(create_app(settings)) as client:
        client.post(f"/cds-services/{cds.ORDER_SIGN}", json=_order_sign_call())  # warm-up
        started = time.perf_counter()
        response = client.post(f"/cds-services/{cds.ORDER_SIGN}", json=_order_sign_call())
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    assert [c["indicator"] for c in cards] == ["critical"]
    assert "clopidogrel" in cards[0]["summary"] and "CPIC" in cards[0]["detail"]
    assert elapsed < 0.5
