"""POST /v1/risk/{model}/predict and GET /v1/risk/models, with models loaded at start."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.riskassessment import RiskAssessment

from medlm.datasets import load
from medlm.records.fhir import to_bundle
from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.service.app import create_app
from medlm.settings import LimitsSettings, Settings


@pytest.fixture
def with_model(settings: Settings) -> Settings:
    data = from_dataset("pima")
    model = DiseaseRiskPredictor(name="pima-diabetes", outcome="diabetes")
    model.fit(data.features, data.target)  # type: ignore[arg-type]
    model.save(Path(settings.data_dir) / "risk-models" / "diabetes")
    return settings


def test_models_are_loaded_once_at_start_and_listed(with_model: Settings) -> None:
    with TestClient(create_app(with_model)) as client:
        assert "diabetes" in client.app.state.services.risk_models  # type: ignore[attr-defined]
        body = client.get("/v1/risk/models").json()
    assert body[0]["name"] == "diabetes" and body[0]["family"] == "logreg"


def test_predict_from_a_fhir_bundle_returns_scores_and_valid_risk_assessments(
    with_model: Settings,
) -> None:
    bundle = to_bundle(load("pima").to_records(limit=2))
    with TestClient(create_app(with_model)) as client:
        response = client.post("/v1/risk/diabetes/predict", json={"bundle": bundle})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["patient_id"] for s in body["scores"]] == ["pima-0001", "pima-0002"]
    assert body["scores"][0]["tier"] in ("low", "medium", "high")
    for resource in body["risk_assessments"]:
        RiskAssessment.model_validate(resource)
    basis = [b["reference"] for b in body["risk_assessments"][0]["basis"]]
    assert "Observation/pima-0001-ogtt-2h-glucose" in basis


def test_predict_from_records(with_model: Settings) -> None:
    record = load("pima").to_records(limit=1)[0].model_dump(mode="json")
    with TestClient(create_app(with_model)) as client:
        response = client.post("/v1/risk/diabetes/predict", json={"records": [record]})
        single = client.post("/v1/risk/diabetes/predict", json={"record": record})
    assert response.status_code == 200, response.text
    assert response.json()["scores"][0]["reasons"][0]["text"].startswith("Glucose 148")
    assert single.json()["scores"][0]["probability"] == response.json()["scores"][0]["probability"]


def test_unknown_model_is_404_and_bad_body_is_422(with_model: Settings) -> None:
    record = load("pima").to_records(limit=1)[0].model_dump(mode="json")
    with TestClient(create_app(with_model)) as client:
        assert client.post("/v1/risk/nope/predict", json={"record": record}).status_code == 404
        both = client.post("/v1/risk/diabetes/predict", json={})
        assert both.status_code == 422


def test_an_empty_records_list_is_a_422_naming_records(with_model: Settings) -> None:
    with TestClient(create_app(with_model)) as client:
        response = client.post("/v1/risk/diabetes/predict", json={"records": []})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "records"]


def test_a_value_of_1e308_is_a_422_naming_the_input_not_a_500(with_model: Settings) -> None:
    record = load("pima").to_records(limit=1)[0].model_dump(mode="json")
    for observation in record["observations"]:
        if observation["id"].endswith("-pregnancies"):
            observation["value"] = 1e308
    with TestClient(create_app(with_model), raise_server_exceptions=False) as client:
        response = client.post("/v1/risk/diabetes/predict", json={"records": [record]})
    assert response.status_code == 422, response.text
    assert "'Pregnancies'" in response.json()["detail"]


def test_more_records_than_the_batch_limit_is_a_413_naming_the_setting(
    with_model: Settings,
) -> None:
    limited = with_model.model_copy(update={"limits": LimitsSettings(max_batch_items=1)})
    records = [r.model_dump(mode="json") for r in load("pima").to_records(limit=2)]
    with TestClient(create_app(limited)) as client:
        response = client.post("/v1/risk/diabetes/predict", json={"records": records})
    assert response.status_code == 413
    assert "MEDLM_LIMITS__MAX_BATCH_ITEMS" in response.json()["detail"]


def test_a_deceased_patient_is_refused_and_the_as_of_time_is_the_request_s(
    with_model: Settings,
) -> None:
    alive, died = (r.model_dump(mode="json") for r in load("pima").to_records(limit=2))
    died["patient"] |= {"deceased": True, "deceased_on": "2020-02-29"}
    body = {"records": [alive, died], "as_of": "2024-06-01T12:00:00Z"}
    with TestClient(create_app(with_model)) as client:
        response = client.post("/v1/risk/diabetes/predict", json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["as_of"].startswith("2024-06-01T12:00")
    assert [s["patient_id"] for s in result["scores"]] == ["pima-0001"]
    assert result["refused"] == [
        {"patient_id": "pima-0002", "reason": "patient pima-0002 died on 2020-02-29"}
    ]


def test_a_bundle_without_a_readable_patient_is_422_saying_why(with_model: Settings) -> None:
    patient = {"resourceType": "Patient", "id": "x", "birthDate": "not-a-date"}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]}
    with TestClient(create_app(with_model)) as client:
        response = client.post("/v1/risk/diabetes/predict", json={"bundle": bundle})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "no readable patient" in detail and "Patient.birthDate" in detail
