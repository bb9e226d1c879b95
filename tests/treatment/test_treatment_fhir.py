"""FHIR R4 output: DetectedIssue, MedicationRequest proposals, CarePlan, validated with R4B."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.detectedissue import DetectedIssue

from medlm.treatment import TreatmentRecommender
from medlm.treatment.fhir import care_plan, report_bundle


def test_safety_issue_renders_as_detected_issue(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.check(make_record(meds=("lisinopril", "losartan")))
    resource = report.issues[0].to_fhir()
    parsed = DetectedIssue.model_validate(resource)
    assert parsed.severity == "high"
    assert resource["patient"] == {"reference": "Patient/p1"}
    assert resource["code"]["coding"][0]["code"] == "DRG"
    assert {"reference": "MedicationStatement/m0"} in resource["implicated"]
    assert "Whelton" in resource["detail"]


def test_start_recommendation_renders_as_medication_request_proposal(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(conditions=("E11.9",), egfr=80))
    rec = next(r for r in report.recommendations if r.drug == "metformin")
    resource = rec.to_fhir()
    assert (resource["status"], resource["intent"]) == ("draft", "proposal")
    assert resource["doNotPerform"] is False
    assert resource["medicationCodeableConcept"]["text"] == "metformin"


def test_report_bundle_holds_care_plan_proposals_and_issues(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(conditions=("E11.9",), meds=("metformin",), egfr=25))
    bundle = report_bundle(report)
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "CarePlan"
    assert "DetectedIssue" in kinds
    plan = care_plan(report)
    stop = plan["activity"][0]["detail"]
    assert stop["doNotPerform"] is True and stop["code"]["text"] == "metformin"
    assert any("HbA1c not available" in n["text"] for n in plan["note"])
