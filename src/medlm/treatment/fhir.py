"""Treatment results as FHIR R4: DetectedIssue, MedicationRequest proposals and a CarePlan.

Every resource is validated with `fhir.resources.R4B` before it is returned as a JSON-ready
dict. Issue codes: interactions, duplicates and allergies use HL7 v3 ActCode detected-issue
codes (DRG, DUPTHPY, ALGY); the exact ActCode choice is unverified in medlm's clinical reference
(§8.1 marks DetectedIssue specifics [U]); other kinds use medlm's own code system.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.detectedissue import DetectedIssue
from fhir.resources.R4B.medicationrequest import MedicationRequest

from medlm import DISCLAIMER
from medlm.records import CodeSystem

if TYPE_CHECKING:
    from medlm.records import PatientRecord
    from medlm.treatment.results import Recommendation, SafetyIssue, TreatmentReport

V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
# [U] ActCode detected-issue codes for three kinds; the rest are coded in urn:medlm.
_ACT_CODES = {"interaction": "DRG", "duplicate": "DUPTHPY", "allergy": "ALGY"}


def _patient(patient_id: str) -> dict[str, str]:
    return {"reference": f"Patient/{patient_id}"}


def _validated(model: Any, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = model.model_validate(data).model_dump(mode="json", exclude_none=True)
    return out


def detected_issue(issue: SafetyIssue, record: PatientRecord | None = None) -> dict[str, Any]:
    """A DetectedIssue with severity, code, implicated medications, detail and the citation."""
    kind = issue.kind.value
    coding = (
        {"system": V3_ACT_CODE, "code": _ACT_CODES[kind]}
        if kind in _ACT_CODES
        else {"system": CodeSystem.MEDLM.value, "code": f"treatment-{kind}"}
    )
    implicated = [{"reference": ref} for ref in issue.references]
    implicated += [{"display": drug} for drug in issue.drugs]
    data: dict[str, Any] = {
        "resourceType": "DetectedIssue",
        "status": "preliminary",
        "code": {"coding": [coding], "text": kind},
        "severity": issue.severity.value,
        "patient": _patient(issue.patient_id),
        "implicated": implicated,
        "detail": f"{issue.detail}. Source: {issue.citation}. {DISCLAIMER}",
        "identifier": [{"system": CodeSystem.MEDLM.value, "value": issue.rule_id}],
    }
    return _validated(DetectedIssue, data)


def medication_request(rec: Recommendation) -> dict[str, Any]:
    """A MedicationRequest with intent `proposal` and status `draft` for a recommendation."""
    what = rec.drug or rec.drug_class or "medication"
    data: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "doNotPerform": rec.action.value in {"avoid", "stop"},
        "subject": _patient(rec.patient_id),
        "medicationCodeableConcept": {"text": what},
        "reasonCode": [{"text": rec.rationale}],
        "note": [{"text": f"{rec.action.value}; strength {rec.strength}; source: {rec.citation}"}],
    }
    if rec.dose_guidance:
        data["dosageInstruction"] = [{"text": rec.dose_guidance}]
    return _validated(MedicationRequest, data)


def care_plan(report: TreatmentReport) -> dict[str, Any]:
    """A draft CarePlan proposal: one activity per recommendation, in ranked order."""
    activities = []
    for rec in report.recommendations:
        activities.append(
            {
                "detail": {
                    "kind": "MedicationRequest",
                    "code": {"text": rec.drug or rec.drug_class or "medication"},
                    "status": "not-started",
                    "doNotPerform": rec.action.value in {"avoid", "stop"},
                    "description": f"{rec.action.value}: {rec.rationale} (source: {rec.citation})",
                }
            }
        )
    data: dict[str, Any] = {
        "resourceType": "CarePlan",
        "status": "draft",
        "intent": "proposal",
        "title": "medlm treatment suggestions",
        "description": DISCLAIMER,
        "subject": _patient(report.patient_id),
        "activity": activities or None,
        "note": [{"text": f"missing data: {m}"} for m in report.missing] or None,
    }
    return _validated(CarePlan, {k: v for k, v in data.items() if v is not None})


def report_bundle(report: TreatmentReport) -> dict[str, Any]:
    """A collection Bundle: the CarePlan, MedicationRequest proposals and DetectedIssues."""
    from fhir.resources.R4B.bundle import Bundle

    resources = [care_plan(report)]
    resources += [r.to_fhir() for r in report.recommendations if r.action.value == "start"]
    resources += [i.to_fhir() for i in report.issues]
    data = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }
    return _validated(Bundle, data)
