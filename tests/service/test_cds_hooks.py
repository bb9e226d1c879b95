"""CDS Hooks routes: discovery, request checks, and hook calls on FHIR prefetch."""

from __future__ import annotations

import importlib.util
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

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


SPEC = Path(__file__).parent / "data" / "cds_hooks"


def _spec(name: str) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads((SPEC / name).read_text(encoding="utf-8")))


def test_the_specifications_patient_view_example_answers_cards(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.post(
            f"/cds-services/{cds.PATIENT_VIEW}", json=_spec("patient-view-request.json")
        )
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["cards"], list)


def test_the_specifications_order_sign_example_answers_cards(settings: Settings) -> None:
    """A draft NutritionOrder (a type treatment does not read) and an amoxicillin order whose
    dose carries a UCUM code; the request has no prefetch, so demographics are not known."""
    call = {"hook": "order-sign", "hookInstance": "2f8f7b3e-1d1c-4c59-9b0e-0d7a9d3f6a11"}
    call |= _spec("order-sign-r4-context.json")
    with TestClient(create_app(settings)) as client:
        response = client.post(f"/cds-services/{cds.ORDER_SIGN}", json=call)
    assert response.status_code == 200, response.text
    text = json.dumps(response.json()["cards"])
    assert "NutritionOrder" not in text  # a type treatment does not read: skipped, not refused
    assert all(len(c["summary"]) < 140 for c in response.json()["cards"])


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"prefetch": {"observations": "garbage"}}, "prefetch.observations"),
        (
            {"prefetch": {"observations": {"resourceType": "Bundle", "entry": {"a": 1}}}},
            "prefetch.observations.entry",
        ),
        (
            {
                "context": {
                    "patientId": "p1",
                    "draftOrders": {"resourceType": "Bundle", "entry": "x"},
                }
            },
            "context.draftOrders.entry",
        ),
        (
            {"prefetch": {"observations": {"resourceType": "Bundle", "entry": [{"fullUrl": "a"}]}}},
            "prefetch.observations",
        ),
        (
            {"prefetch": {"observations": {"resourceType": "Bundle", "entry": [1]}}},
            "prefetch.observations",
        ),
        ({"prefetch": {"patient": ["Patient"]}}, "prefetch.patient"),
        (
            {
                "context": {
                    "patientId": "p1",
                    "draftOrders": {"resourceType": "Bundle", "entry": [{"fullUrl": "a"}]},
                }
            },
            "context.draftOrders",
        ),
        ({"context": {"patientId": "p1", "draftOrders": "x"}}, "context.draftOrders"),
    ],
)
def test_malformed_prefetch_or_draft_orders_answer_400_naming_the_path(
    settings: Settings, change: dict[str, Any], path: str
) -> None:
    call = _order_sign_call()
    for key, value in change.items():
        call[key] = {**cast(dict[str, Any], call[key]), **value}
    with TestClient(create_app(settings)) as client:
        response = client.post(f"/cds-services/{cds.ORDER_SIGN}", json=call)
    assert response.status_code == 400, response.text
    assert path in response.json()["detail"]


def test_a_missing_prefetch_key_is_allowed_and_the_card_says_what_could_not_be_checked(
    settings: Settings,
) -> None:
    call = _order_sign_call()
    prefetch = cast(dict[str, Any], call["prefetch"])
    del prefetch["observations"]
    with TestClient(create_app(settings)) as client:
        response = client.post(f"/cds-services/{cds.ORDER_SIGN}", json=call)
    assert response.status_code == 200, response.text
    details = " ".join(c["detail"] or "" for c in response.json()["cards"])
    assert "CYP2C19" in details and "could not run" in json.dumps(response.json())


def test_a_deceased_patient_gets_422_naming_the_date_from_the_hook(settings: Settings) -> None:
    call = _order_sign_call()
    prefetch = cast(dict[str, Any], call["prefetch"])
    prefetch["patient"] = {**prefetch["patient"], "deceasedDateTime": "1981-06-30"}
    with TestClient(create_app(settings)) as client:
        response = client.post(
            f"/cds-services/{cds.PATIENT_VIEW}", json=call | {"hook": "patient-view"}
        )
    assert response.status_code == 422
    assert "1981-06-30" in response.json()["detail"]


def _trusted_client(tmp_path: Path, **security: object) -> tuple[Settings, Any]:
    """Settings trusting one CDS client issuer (an ES384 key set), and that client's key."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key())) | {"kid": "ehr-1", "alg": "ES384"}
    jwks = tmp_path / "ehr-jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk]}))
    settings = Settings(
        data_dir=tmp_path / "cds-data",
        security={
            "dev_no_auth_loopback": False,
            "cds_trusted_issuers": {"https://ehr.example": str(jwks)},
            **security,
        },
    )
    return settings, key


def _hook_status(
    client: TestClient, key: Any, aud: str, jti: str, headers: dict[str, str] | None = None
) -> int:
    """Status of a patient-view call (no prefetch: 412 once authenticated) with a client token
    for `aud`."""
    import jwt

    now = datetime.now(UTC)
    claims = {
        "iss": "https://ehr.example",
        "aud": aud,
        "jti": jti,
        "exp": now + timedelta(minutes=5),
    }
    token = jwt.encode(claims, key, algorithm="ES384", headers={"kid": "ehr-1"})
    body = {"hook": "patient-view", "hookInstance": "i", "context": {"patientId": "p1"}}
    response = client.post(
        f"/cds-services/{cds.PATIENT_VIEW}",
        json=body,
        headers={"Authorization": f"Bearer {token}", **(headers or {})},
    )
    return response.status_code


def test_a_token_for_another_service_is_refused_even_when_host_names_that_service(
    tmp_path: Path,
) -> None:
    settings, key = _trusted_client(tmp_path)
    path = f"/cds-services/{cds.PATIENT_VIEW}"
    with TestClient(create_app(settings)) as client:
        other = _hook_status(
            client, key, f"http://other-cds.example{path}", "j-1", {"Host": "other-cds.example"}
        )
        own = _hook_status(client, key, f"http://127.0.0.1:8000{path}", "j-2")
    assert other == 401
    assert own == 412  # the server's own configured address is the audience


@pytest.mark.parametrize("base", [None, "http://cds.example"])
def test_a_forwarded_https_scheme_does_not_pass_https_audiences(
    tmp_path: Path, base: str | None
) -> None:
    settings, key = _trusted_client(tmp_path, cds_audience_base=base)
    path = f"/cds-services/{cds.PATIENT_VIEW}"
    # Behind uvicorn --proxy-headers, X-Forwarded-Proto makes the request https; the client
    # does so directly here.
    with TestClient(create_app(settings), base_url="https://cds.example") as client:
        forwarded = {"X-Forwarded-Proto": "https"}
        status = _hook_status(client, key, f"https://cds.example{path}", "j-1", forwarded)
    assert status == 401


def test_the_configured_audience_base_is_the_audience(tmp_path: Path) -> None:
    settings, key = _trusted_client(tmp_path, cds_audience_base="https://cds.example/")
    path = f"/cds-services/{cds.PATIENT_VIEW}"
    with TestClient(create_app(settings)) as client:
        assert _hook_status(client, key, f"https://cds.example{path}", "j-1") == 412
        assert _hook_status(client, key, f"http://testserver{path}", "j-2") == 401
