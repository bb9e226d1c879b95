"""The glucose routes: a batch of readings or FHIR Observations in, stored readings with the
consensus CGM metrics out, and glucose alerts in the shared alert list and stream."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medlm.monitor.alerts import VitalAlert
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.monitor.glucose.store import DurableGlucose
from medlm.service.app import create_app
from medlm.service.deps import get_glucose
from medlm.settings import LimitsSettings, Settings
from medlm.storage.engine import make_engine

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


class StubMonitor:
    """Stands in for the glucose monitor: one alert for any reading below a test-chosen value
    (a test double, not a clinical rule)."""

    def acknowledge(self, patient_id: str) -> None:
        pass

    def process(self, reading: GlucoseReading, now: datetime | None = None) -> list[VitalAlert]:
        if reading.mg_dl >= 40:
            return []
        return [
            VitalAlert(
                patient_id=reading.patient_id,
                time=reading.time,
                signal="glucose",
                kind="raised",
                level=2,
                previous_level=0,
                response=None,
                reason=f"glucose {reading.mg_dl:g} mg/dL ({reading.source})",
            )
        ]


def _with_glucose(app: FastAPI, glucose: DurableGlucose) -> FastAPI:
    app.dependency_overrides[get_glucose] = lambda: glucose
    return app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(Settings(data_dir=tmp_path_factory.mktemp("glucose")))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        engine = make_engine(app.state.settings)
        _with_glucose(app, DurableGlucose(engine, StubMonitor()))
        yield client
        engine.dispose()


def reading(patient: str, minutes: int, glucose: float, unit: str = "mg/dL", **extra: Any) -> dict:
    when = (T0 + timedelta(minutes=minutes)).isoformat()
    return {"patient_id": patient, "time": when, "glucose": glucose, "unit": unit, **extra}


def cgm_observation(oid: str, patient: str, minutes: int, value: float, unit: str) -> dict:
    """A sensor reading in the HL7 CGM implementation guide's layout (IG 1.0.0, profile CGM
    Sensor Reading (Mass)/(Molar), https://hl7.org/fhir/uv/cgm/)."""
    code = "99504-3" if unit == "mg/dL" else "105272-9"
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": (T0 + timedelta(minutes=minutes)).isoformat(),
        "valueQuantity": {
            "value": value,
            "unit": unit.lower(),
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }


def test_readings_in_mg_dl_and_mmol_l_are_stored_in_mg_dl(client: TestClient) -> None:
    body = {"readings": [reading("g1", 0, 100), reading("g1", 5, 5.5, "mmol/L", source="cgm")]}
    response = client.post("/v1/glucose", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [r["mg_dl"] for r in answer["accepted"]] == [100.0, pytest.approx(99.1, abs=0.1)]
    assert [r["source"] for r in answer["accepted"]] == ["unknown", "cgm"]
    assert answer["rejected"] == [] and answer["disclaimer"]


def test_resending_a_batch_stores_nothing_twice(client: TestClient) -> None:
    body = {"readings": [reading("g2", 0, 100), reading("g2", 5, 101)]}
    assert len(client.post("/v1/glucose", json=body).json()["accepted"]) == 2
    again = client.post("/v1/glucose", json=body).json()
    assert again["accepted"] == [] and again["duplicates"] == 2
    assert len(client.get("/v1/patients/g2/glucose").json()["readings"]) == 2


def test_rejections_carry_their_path_in_the_request(client: TestClient) -> None:
    heart_rate = cgm_observation("hr", "g3", 0, 80, "mg/dL")
    heart_rate["code"]["coding"][0]["code"] = "8867-4"
    heart_rate["valueQuantity"] = {"value": 80, "unit": "/min", "code": "/min"}
    body = {
        "readings": [reading("g3", 0, 100), reading("g3", 5, 100, "mg/dl")],
        "observations": [heart_rate, cgm_observation("c1", "g3", 10, 6.0, "mmol/L")],
    }
    answer = client.post("/v1/glucose", json=body).json()
    assert len(answer["accepted"]) == 2
    paths = sorted((r["field"], r["position"]) for r in answer["rejected"])
    assert paths == [("observations.0.Observation.code", 0), ("readings.1.unit", 1)]


def test_a_cgm_guide_reading_is_a_cgm_reading(client: TestClient) -> None:
    body = {"observations": [cgm_observation("c2", "g4", 0, 120, "mg/dL")]}
    (accepted,) = client.post("/v1/glucose", json=body).json()["accepted"]
    assert (accepted["source"], accepted["mg_dl"], accepted["origin"]) == ("cgm", 120.0, "c2")


@pytest.mark.parametrize(
    "body", [{}, {"readings": [], "observations": []}, {"readings": [{}], "notes": "x"}]
)
def test_an_empty_batch_or_an_unknown_key_is_a_422(client: TestClient, body: dict) -> None:
    assert client.post("/v1/glucose", json=body).status_code == 422


def test_glucose_alerts_are_in_the_alert_list_and_the_live_stream(client: TestClient) -> None:
    answer = client.post("/v1/glucose", json={"readings": [reading("g5", 0, 35)]}).json()
    (alert,) = answer["alerts"]
    assert alert["signal"] == "glucose"
    listed = client.get("/v1/alerts", params={"patient_id": "g5"}).json()
    assert [a["alert"]["signal"] for a in listed] == ["glucose"]
    after = listed[0]["id"] - 1
    with client.stream(
        "GET", "/v1/alerts/stream", params={"after_id": after, "max_events": 1}
    ) as stream:
        text = "".join(stream.iter_text())
    data = json.loads(text.split("data: ", 1)[1].split("\n", 1)[0])
    assert (data["patient_id"], data["signal"]) == ("g5", "glucose")


def test_patient_glucose_answers_readings_and_metrics_over_a_window(client: TestClient) -> None:
    body = {"readings": [reading("g6", 5 * i, 100 + i) for i in range(6)]}
    client.post("/v1/glucose", json=body)
    answer = client.get("/v1/patients/g6/glucose").json()
    assert [r["mg_dl"] for r in answer["readings"]] == [100.0 + i for i in range(6)]
    assert answer["cgm_metrics"]["readings"] == 6
    window = {
        "start": (T0 + timedelta(minutes=10)).isoformat(),
        "end": (T0 + timedelta(minutes=20)).isoformat(),
    }
    part = client.get("/v1/patients/g6/glucose", params=window).json()
    assert [r["mg_dl"] for r in part["readings"]] == [102.0, 103.0]


def test_unknown_patient_is_a_404_and_a_naive_window_a_422(client: TestClient) -> None:
    assert client.get("/v1/patients/nobody/glucose").status_code == 404
    naive = {"start": "2026-01-01T00:00:00"}
    assert client.get("/v1/patients/g6/glucose", params=naive).status_code == 422


def test_a_storage_failure_is_a_503(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        engine = make_engine(settings)
        _with_glucose(app, DurableGlucose(engine))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE glucose_readings"))
        response = client.post("/v1/glucose", json={"readings": [reading("g8", 0, 100)]})
        assert response.status_code == 503 and "glucose" in response.json()["detail"]
        assert client.get("/v1/patients/g8/glucose").status_code == 503


def test_more_items_than_the_batch_limit_is_a_413(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, limits=LimitsSettings(max_batch_items=2))
    with TestClient(create_app(settings)) as client:
        body = {"readings": [reading("g9", 5 * i, 100) for i in range(3)]}
        response = client.post("/v1/glucose", json=body)
    assert response.status_code == 413 and "max_batch_items" in response.json()["detail"]
