"""The vitals routes: batch in with scores and alerts out, stored vitals, alerts and the stream."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle

from medlm.service.app import create_app
from medlm.settings import Settings

SET: dict[str, Any] = {
    "patient_id": "p1", "time": "2026-01-01T08:00:00Z", "respiratory_rate": 22, "spo2": 95,
    "on_oxygen": False, "systolic_bp": 105, "heart_rate": 112, "consciousness": "A",
    "temperature_c": 38.4,
}  # fmt: skip


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the module (other routers load their knowledge at start-up); each test
    uses its own patient ids."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("vitals"))
    with TestClient(create_app(settings)) as client:
        yield client


def test_post_vitals_returns_scores_and_one_alert(client: TestClient) -> None:
    response = client.post("/v1/vitals", json={"vitals": [SET | {"patient_id": "a1"}]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["results"][0]["news2"]["total"] == 7
    assert [a["kind"] for a in body["alerts"]] == ["raised"]
    assert body["alerts"][0]["response"] == "emergency response"
    again = client.post("/v1/vitals", json={"vitals": [SET | {"patient_id": "a1"}]}).json()
    assert again["results"][0]["status"] == "duplicate" and again["alerts"] == []


def test_post_fhir_observations_with_bp_panel(client: TestClient) -> None:
    bp = {
        "resourceType": "Observation", "id": "bp", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        "subject": {"reference": "Patient/p2"}, "effectiveDateTime": "2026-01-01T09:00:00Z",
        "component": [
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
             "valueQuantity": {"value": 88, "unit": "mmHg", "code": "mm[Hg]"}},
        ],
    }  # fmt: skip
    body = client.post("/v1/vitals", json={"observations": [bp]}).json()
    news2 = body["results"][0]["news2"]
    assert news2["subscores"] == {"systolic_bp": 3} and news2["total"] is None
    assert body["alerts"][0]["level"] == 2


def test_impossible_value_is_quarantined_and_reported(client: TestClient) -> None:
    body = client.post(
        "/v1/vitals", json={"vitals": [SET | {"heart_rate": 400, "patient_id": "q1"}]}
    ).json()
    assert body["rejected"][0]["field"] == "heart_rate"
    assert "pulse" in body["results"][0]["news2"]["missing"]


def test_bad_items_are_reported_by_position_and_the_rest_processed(client: TestClient) -> None:
    batch = [SET | {"patient_id": "b1", "consciousness": "X"}, SET | {"patient_id": "b2"}]
    bad_fhir = {"resourceType": "Observation", "id": "x", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]},
                "subject": {"reference": "Patient/b3"}, "effectiveDateTime": "2026-01-01T08:00:00Z",
                "valueQuantity": {"value": 5.5, "code": "mmol/L",
                                  "system": "http://unitsofmeasure.org"}}  # fmt: skip
    response = client.post("/v1/vitals", json={"vitals": batch, "observations": [bad_fhir]})
    assert response.status_code == 200
    body = response.json()
    assert [r["patient_id"] for r in body["results"]] == ["b2"]
    assert [(e["resource_type"], e["position"], e["field"]) for e in body["errors"]] == [
        ("VitalSigns", 0, "consciousness"),
    ]  # fmt: skip
    assert "'X'" in body["errors"][0]["reason"]
    glucose = [r for r in body["rejected"] if r["patient_id"] == "b3"]
    assert glucose and "not a vital sign NEWS2 scores" in glucose[0]["reason"]


def test_patient_vitals_and_alerts_are_read_back(client: TestClient) -> None:
    client.post("/v1/vitals", json={"vitals": [SET]})
    vitals = client.get("/v1/patients/p1/vitals").json()
    assert vitals["vitals"][0]["heart_rate"] == 112 and vitals["news2"][0]["total"] == 7
    assert client.get("/v1/patients/nobody/vitals").status_code == 404
    alerts = client.get("/v1/alerts", params={"patient_id": "p1"}).json()
    assert len(alerts) == 1 and alerts[0]["alert"]["level"] == 4
    ack = client.post(f"/v1/alerts/{alerts[0]['id']}/acknowledge")
    assert ack.json()["acknowledged"] is True
    assert client.post("/v1/alerts/999/acknowledge").status_code == 404


def test_alert_stream_sends_stored_alerts_as_server_sent_events(client: TestClient) -> None:
    client.post("/v1/vitals", json={"vitals": [SET | {"patient_id": "s1"}]})
    last = client.get("/v1/alerts", params={"patient_id": "s1"}).json()[-1]["id"]
    params = {"after_id": last - 1, "max_events": 1}
    with client.stream("GET", "/v1/alerts/stream", params=params) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    data = [line[6:] for line in text.splitlines() if line.startswith("data: ")]
    assert [json.loads(d)["patient_id"] for d in data] == ["s1"]
    assert f"id: {last}\n" in text


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", f"/v1/alerts?after_id={2**63}"),
        ("POST", f"/v1/alerts/{2**63}/acknowledge"),
        ("POST", "/v1/alerts/0/acknowledge"),
    ],
)
def test_alert_ids_outside_the_database_range_are_a_422(
    client: TestClient, method: str, url: str
) -> None:
    assert client.request(method, url).status_code == 422


def test_acknowledging_an_unknown_alert_is_a_404(client: TestClient) -> None:
    assert client.post(f"/v1/alerts/{2**63 - 1}/acknowledge").status_code == 404


CRITICAL: dict[str, Any] = {
    "respiratory_rate": 30, "spo2": 88, "on_oxygen": True, "systolic_bp": 85,
    "heart_rate": 125, "consciousness": "V", "temperature_c": 37.0,
}  # fmt: skip


def _iso(time: datetime) -> str:
    return time.isoformat()


@pytest.mark.parametrize(
    "future", [timedelta(hours=2), datetime(9000, 1, 1, tzinfo=UTC) - datetime.now(UTC)],
    ids=["2h-ahead", "year-9000"],
)  # fmt: skip
def test_a_critical_set_after_a_future_dated_one_alerts_through_http(
    client: TestClient, future: timedelta
) -> None:
    pid = f"future-{int(future.total_seconds()) % 100_000}"
    now = datetime.now(UTC)
    ahead = SET | {
        "patient_id": pid,
        "time": _iso(now + future),
        "respiratory_rate": 16,
        "spo2": 97,
        "systolic_bp": 120,
        "heart_rate": 70,
        "temperature_c": 37.0,
    }
    first = client.post("/v1/vitals", json={"vitals": [ahead]}).json()
    assert first["results"] == [] and first["alerts"] == []
    assert "clock-skew" in " ".join(r["reason"] for r in first["rejected"])
    critical = {"patient_id": pid, "time": _iso(now)} | CRITICAL
    body = client.post("/v1/vitals", json={"vitals": [critical]}).json()
    assert body["results"][0]["status"] == "new" and body["results"][0]["news2"]["total"] == 16
    assert [a["level"] for a in body["alerts"]] == [4]


@pytest.mark.parametrize("time", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"])
def test_times_at_the_ends_of_the_calendar_are_rejected_not_a_500(
    client: TestClient, time: str
) -> None:
    observation = {
        "resourceType": "Observation", "id": "edge", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": "Patient/edge"}, "effectiveDateTime": time,
        "valueQuantity": {"value": 80, "unit": "/min", "code": "/min",
                          "system": "http://unitsofmeasure.org"},
    }  # fmt: skip
    body = {"vitals": [SET | {"patient_id": "edge", "time": time}], "observations": [observation]}
    response = client.post("/v1/vitals", json=body)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["results"] == []
    assert out["errors"][0]["field"] == "time" and "range" in out["errors"][0]["reason"]
    assert len(out["errors"]) + len(out["rejected"]) == 2


def test_post_vitals_can_answer_fhir_scores_and_detected_issues(client: TestClient) -> None:
    body = client.post(
        "/v1/vitals", params={"fhir": "true"}, json={"vitals": [SET | {"patient_id": "f1"}]}
    ).json()
    Bundle.model_validate(body["fhir"])
    score, issue = (e["resource"] for e in body["fhir"]["entry"])
    assert score["valueInteger"] == 7 and issue["resourceType"] == "DetectedIssue"
    assert {d["reference"] for d in score["derivedFrom"]} >= {"Observation/vitals0-hr"}


def test_a_request_with_unknown_top_level_fields_is_a_422(client: TestClient) -> None:
    assert client.post("/v1/vitals", json=SET).status_code == 422


@pytest.mark.parametrize("time", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"])
def test_a_time_with_no_utc_equivalent_is_an_item_error_not_a_500(
    client: TestClient, time: str
) -> None:
    item = SET | {"patient_id": "t1", "time": time}
    response = client.post("/v1/vitals", json={"vitals": [item]})
    assert response.status_code == 200, response.text
    errors = response.json()["errors"]
    assert [(e["position"], e["field"]) for e in errors] == [(0, "time")]


@pytest.mark.parametrize("field", ["heart_rate", "consciousness", "encounter_class", "name"])
def test_item_errors_name_the_field_without_echoing_free_text(
    client: TestClient, field: str
) -> None:
    item = SET | {"patient_id": "e1", field: "Zebulon Quixote" * 2}
    response = client.post("/v1/vitals", json={"vitals": [item]})
    assert response.status_code == 200, response.text
    error = response.json()["errors"][0]
    assert error["field"] == field
    assert "Zebulon" not in response.text


@pytest.mark.parametrize("body", [{}, {"vitals": [], "observations": []}, SET])
def test_a_body_with_nothing_to_do_or_a_set_at_top_level_is_a_422(
    client: TestClient, body: dict[str, Any]
) -> None:
    response = client.post("/v1/vitals", json=body)
    assert response.status_code == 422


def test_more_items_than_the_batch_limit_is_a_413_naming_the_setting(
    tmp_path: Any,
) -> None:
    from medlm.settings import LimitsSettings

    settings = Settings(data_dir=tmp_path, limits=LimitsSettings(max_batch_items=2))
    items = [SET | {"patient_id": f"b{i}"} for i in range(2)]
    with TestClient(create_app(settings)) as client:
        ok = client.post("/v1/vitals", json={"vitals": items})
        over = client.post("/v1/vitals", json={"vitals": items, "observations": [{}]})
    assert ok.status_code == 200
    assert over.status_code == 413
    assert "MEDLM_LIMITS__MAX_BATCH_ITEMS" in over.json()["detail"]


def test_a_lone_surrogate_in_a_patient_id_is_a_4xx_and_the_audit_trail_stays_intact(
    client: TestClient,
) -> None:
    raw = '{"vitals": [{"patient_id": "p\\ud800", "time": "2026-01-01T08:00:00Z", "spo2": 95}]}'
    for content_type in ("application/json", "text/plain"):
        response = client.post("/v1/vitals", content=raw, headers={"content-type": content_type})
        assert 400 <= response.status_code < 500, response.text
    from medlm.service.services import services_of

    assert services_of(client.app).audit.verify().ok


def test_a_set_read_back_can_be_posted_again_as_it_is(client: TestClient) -> None:
    assert client.post("/v1/vitals", json={"vitals": [SET | {"patient_id": "rt1"}]}).status_code
    read_back = client.get("/v1/patients/rt1/vitals").json()["vitals"]
    assert "sources" in read_back[0]
    again = client.post("/v1/vitals", json={"vitals": read_back})
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["errors"] == [] and body["rejected"] == []
    assert [r["status"] for r in body["results"]] == ["duplicate"]
    moved = read_back[0] | {"patient_id": "rt2", "sources": ["Observation/hr-1"]}
    fresh = client.post("/v1/vitals", json={"vitals": [moved]}).json()
    assert [r["news2"]["total"] for r in fresh["results"]] == [7]


def test_sources_that_are_not_references_are_an_error_of_that_set(client: TestClient) -> None:
    sets = [SET | {"patient_id": "rt3", "sources": "x"}, SET | {"patient_id": "rt4"}]
    body = client.post("/v1/vitals", json={"vitals": sets}).json()
    assert [(e["position"], e["field"]) for e in body["errors"]] == [(0, "sources")]
    assert [r["patient_id"] for r in body["results"]] == ["rt4"]


def test_many_bad_items_answer_a_short_422_that_counts_the_rest(client: TestClient) -> None:
    body = '{"vitals": [' + ",".join(["0"] * 100_000) + "]}"
    response = client.post("/v1/vitals", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert len(response.content) < 20_000  # was one error per item (95 MB for a million)
    detail = response.json()["detail"]
    assert len(detail) == 51
    assert detail[-1] == {
        "loc": ["body"],
        "msg": "and 99950 more errors",
        "type": "too_many_errors",
    }
