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
from medlm.settings import Settings


@pytest.fixture
def with_model(settings: Settings) -> Settings:
    data = from_dataset("pima")
    model = DiseaseRiskPredictor(name="pima-diabetes", outcome="diabetes")
    model.fit(data.features, data.target)  # type: ignore[arg-type]
    model.save(Path(settings.data_dir) / "risk-models" / "diabetes")
    return settings


def test_models_are_loaded_once_at_start_and_listed(with_model: Settings) -> None:
    with TestClient(create_app(with_model)) as client:
        assert "diabetes" in client.app.state.risk_models  # type: ignore[attr-defined]
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
    with TestClient(create_app(with_model)) as client:
        assert client.post("/v1/risk/nope/predict", json={"records": []}).status_code == 404
        both = client.post("/v1/risk/diabetes/predict", json={})
        assert both.status_code == 422
