"""NEWS2 as a FHIR R4 Observation and alerts as DetectedIssues, validated with the R4B models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.detectedissue import DetectedIssue

from medlm.errors import ValidationError
from medlm.knowledge.early_warning import load_news2
from medlm.monitor.alerts import AlertPolicy
from medlm.monitor.fhir import alert_issue, news2_observation
from medlm.monitor.fhir_bundle import monitoring_bundle
from medlm.monitor.stream import VitalSignMonitor
from medlm.monitor.vitals import VitalSigns

T = datetime(2026, 1, 1, 8, tzinfo=UTC)
FULL = {
    "respiratory_rate": 22, "spo2": 95, "on_oxygen": False, "systolic_bp": 105,
    "heart_rate": 112, "consciousness": "A", "temperature_c": 38.4,
}  # fmt: skip


def test_complete_news2_becomes_a_snomed_coded_observation_with_subscore_components() -> None:
    vitals = VitalSigns(patient_id="p1", time=T, encounter_class="IMP", **FULL)
    assessment, _ = VitalSignMonitor().ingest(vitals, now=T)
    assert assessment is not None and assessment.encounter_class == "IMP"
    resource = news2_observation(assessment, load_news2(), derived_from=("Observation/rr",))
    assert resource["valueInteger"] == 7
    assert resource["code"]["coding"][0]["code"] == "1104051000000101"
    assert resource["derivedFrom"] == [{"reference": "Observation/rr"}]
    points = {c["code"]["coding"][-1]["code"]: c["valueInteger"] for c in resource["component"]}
    assert points["news2-respiration-rate"] == 2 and points["news2-pulse"] == 2
    assert sum(points.values()) == 7
    pulse = next(c for c in resource["component"] if c["valueInteger"] and
                 c["code"]["coding"][0]["code"] == "1104351000000103")  # fmt: skip
    assert pulse["valueInteger"] == 2
    assert any("IMP (inpatient encounter)" in n["text"] for n in resource["note"])


def test_partial_news2_is_not_exported() -> None:
    vitals = VitalSigns(patient_id="p1", time=T, heart_rate=90)
    assessment, _ = VitalSignMonitor().ingest(vitals, now=T)
    assert assessment is not None
    with pytest.raises(ValidationError, match="partial"):
        news2_observation(assessment, load_news2())


def test_an_alert_is_a_detected_issue_naming_score_threshold_and_source() -> None:
    vitals = VitalSigns(patient_id="p1", time=T, **FULL)
    assessment, _ = VitalSignMonitor().ingest(vitals, now=T)
    assert assessment is not None
    [alert] = AlertPolicy().evaluate(assessment)
    issue = alert_issue(alert, assessment, load_news2(), ("Observation/hr",), "Observation/n1")
    DetectedIssue.model_validate(issue)
    assert issue["severity"] == "high"
    assert "NEWS2 7" in issue["detail"] and "NEWS2 total >= 7" in issue["detail"]
    assert "Observation/hr" in issue["detail"]
    assert issue["implicated"] == [{"reference": "Observation/n1"}]
    assert issue["evidence"][0]["detail"] == [{"reference": "Observation/hr"}]


def test_a_red_score_alert_is_moderate_and_names_the_single_parameter_rule() -> None:
    vitals = VitalSigns(patient_id="p1", time=T, **(FULL | {
        "respiratory_rate": 16, "systolic_bp": 120, "heart_rate": 70, "temperature_c": 37.0,
        "consciousness": "V", "spo2": 97}))  # fmt: skip
    assessment, _ = VitalSignMonitor().ingest(vitals, now=T)
    assert assessment is not None
    [alert] = AlertPolicy().evaluate(assessment)
    issue = alert_issue(alert, assessment, load_news2())
    assert issue["severity"] == "moderate" and "3 points in one parameter" in issue["detail"]


def test_a_monitoring_run_is_one_valid_bundle_of_scores_and_issues() -> None:
    sets = [
        VitalSigns(patient_id="p1", time=T, sources=["Observation/a"], **FULL),
        VitalSigns(patient_id="p1", time=T + timedelta(hours=1), heart_rate=80),
        VitalSigns(patient_id="p1", time=datetime(9000, 1, 1, tzinfo=UTC), **FULL),
    ]
    result = monitoring_bundle(sets, now=T + timedelta(hours=2))
    Bundle.model_validate(result.bundle)
    kinds = [e["resource"]["resourceType"] for e in result.bundle["entry"]]
    assert kinds == ["Observation", "DetectedIssue"]
    score, issue = (e["resource"] for e in result.bundle["entry"])
    assert score["derivedFrom"] == [{"reference": "Observation/a"}]
    assert issue["implicated"] == [{"reference": f"Observation/{score['id']}"}]
    assert len(result.notes) == 1 and "partial" in result.notes[0]
    assert [r.field for r in result.rejected] == ["time"]
