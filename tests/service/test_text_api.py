"""POST /v1/text/extract: entities, context, FHIR on request, and clear errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from medlm.service.app import create_app
from medlm.settings import LimitsSettings, Settings
from medlm.text import TargetTerm, Vocabulary, VocabularyStore


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_extract_text_returns_entities_with_context(client: TestClient) -> None:
    body = {
        "text": "The patient denies chest pain but reports shortness of breath. "
        "Mother had breast cancer.",
        "targets": ["chest pain"],
        "id": "doc-1",
    }
    response = client.post("/v1/text/extract", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    entities = {e["text"]: e for e in data["result"]["entities"]}
    assert data["result"]["id"] == "doc-1" and "not a medical device" in data["disclaimer"]
    assert entities["chest pain"]["assertion"]["negated"]
    assert not entities["shortness of breath"]["assertion"]["negated"]
    assert entities["breast cancer"]["assertion"]["family"]


def test_extract_note_with_fhir(client: TestClient) -> None:
    note = {"id": "n1", "patient_id": "p1", "text": "Metformin 500 mg PO BID."}
    response = client.post("/v1/text/extract", json={"note": note, "include_fhir": True})
    assert response.status_code == 200, response.text
    (resource,) = response.json()["fhir"]
    assert resource["resourceType"] == "MedicationStatement"
    assert resource["subject"] == {"reference": "Patient/p1"}


def test_saved_vocabulary_is_used(client: TestClient, settings: Settings) -> None:
    store = VocabularyStore(settings.data_dir / "vocabularies")
    store.save(Vocabulary(name="lung", terms=(TargetTerm(term="ground glass", label="finding"),)))
    response = client.post(
        "/v1/text/extract", json={"text": "No ground glass.", "vocabulary": "lung"}
    )
    (entity,) = response.json()["result"]["entities"]
    assert entity["label"] == "finding" and entity["assertion"]["negated"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": "  "}, "empty"),
        ({"text": "x", "note": {"text": "y"}}, "exactly one"),
        ({"text": "fever", "vocabulary": "missing"}, "no saved vocabulary"),
    ],
)
def test_bad_requests_get_a_clear_422(client: TestClient, body: dict, message: str) -> None:
    response = client.post("/v1/text/extract", json=body)
    assert response.status_code == 422 and message in response.text


def test_oversized_text_is_rejected(client: TestClient) -> None:
    response = client.post("/v1/text/extract", json={"text": "fever " * 40_000})
    assert response.status_code == 422 and "more than the limit" in response.text


def test_vocabulary_saved_over_http_is_listed_and_used(client: TestClient) -> None:
    terms = {"terms": [{"term": "ground glass", "label": "finding"}]}
    assert client.put("/v1/text/vocabularies/lung", json=terms).status_code == 200
    assert client.get("/v1/text/vocabularies").json() == {"names": ["lung"]}
    response = client.post(
        "/v1/text/extract", json={"text": "No ground glass.", "vocabulary": "lung"}
    )
    assert response.json()["result"]["entities"][0]["assertion"]["negated"]


@pytest.mark.parametrize("name", ["..bad", "x%0A", "a%20b", "x" * 65, "caf%C3%A9"])
def test_vocabulary_name_outside_letters_digits_dash_underscore_is_a_422(
    client: TestClient, name: str
) -> None:
    terms = {"terms": [{"term": "x"}]}
    response = client.put(f"/v1/text/vocabularies/{name}", json=terms)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "name"]
    assert client.get("/v1/text/vocabularies").json() == {"names": []}


def test_targets_over_the_batch_limit_are_a_413_naming_the_setting(settings: Settings) -> None:
    limited = settings.model_copy(update={"limits": LimitsSettings(max_batch_items=2)})
    with TestClient(create_app(limited)) as client:
        body = {"text": "chest pain", "targets": ["a", "b", "c"]}
        response = client.post("/v1/text/extract", json=body)
    assert response.status_code == 413
    assert "MEDLM_LIMITS__MAX_BATCH_ITEMS" in response.json()["detail"]
