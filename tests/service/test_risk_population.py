"""The risk service shows each model's cut-points and population and gives no tier outside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.riskassessment import RiskAssessment
from tests.risk.bundles import bundle, quantity

from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.population import population_for
from medlm.service.app import create_app
from medlm.settings import Settings


@pytest.fixture
def with_pima(settings: Settings) -> Settings:
    data = from_dataset("pima")
    model = DiseaseRiskPredictor(population=population_for("pima"), name="pima")
    model.fit(data.features, data.target)  # type: ignore[arg-type]
    model.save(Path(settings.data_dir) / "risk-models" / "diabetes")
    return settings


def test_models_list_their_cutpoints_and_population(with_pima: Settings) -> None:
    with TestClient(create_app(with_pima)) as client:
        (info,) = client.get("/v1/risk/models").json()
    assert info["population"]["sex"] == "female"
    assert info["cutpoints"]["low_below"] < info["cutpoints"]["high_from"]


def test_a_man_gets_no_tier_and_a_risk_assessment_without_a_probability(
    with_pima: Settings,
) -> None:
    man = bundle(
        quantity("bmi", "39156-5", "BMI", 30.0, "kg/m2"), gender="male", birth_date="1980-01-01"
    )
    with TestClient(create_app(with_pima)) as client:
        response = client.post(
            "/v1/risk/diabetes/predict", json={"bundle": man, "as_of": "2026-02-01T00:00:00Z"}
        )
    assert response.status_code == 200, response.text
    body = response.json()
    (score,) = body["scores"]
    assert score["tier"] is None and score["population"]["status"] == "outside"
    (resource,) = body["risk_assessments"]
    RiskAssessment.model_validate(resource)
    assert "probabilityDecimal" not in resource["prediction"][0]
    assert body["about_model"]["population"]["dataset"] == "pima"
