"""POST /v1/treatment/recommend: the report's coverage and interaction issues."""

from __future__ import annotations

from fastapi.testclient import TestClient

from medlm.service.app import create_app
from medlm.settings import Settings


def test_recommend_report_names_the_pair_and_its_coverage(settings: Settings) -> None:
    record = {
        "patient": {"id": "p1", "age": 71, "sex": "female"},
        "medication_statements": [
            {"patient_id": "p1", "name": "verapamil 240 mg"},
            {"patient_id": "p1", "name": "digoxin 0.125 mg"},
            {"patient_id": "p1", "name": "zorblatin"},
        ],
    }
    with TestClient(create_app(settings)) as client:
        response = client.post("/v1/treatment/recommend", json={"record": record})
    assert response.status_code == 200, response.text
    report = response.json()["report"]
    assert ["digoxin", "verapamil"] in [i["drugs"] for i in report["issues"]]
    coverage = report["coverage"]
    assert {d["ingredient"] for d in coverage["matched"]} == {"verapamil", "digoxin"}
    assert any("zorblatin" in u for u in coverage["unmatched"])
    assert coverage["knowledge"][0]["table"] == "drug interactions"
