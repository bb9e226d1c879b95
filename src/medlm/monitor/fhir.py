"""Monitoring results as FHIR R4: NEWS2 as an Observation, vital-sign alerts as DetectedIssues.

The NEWS2 total is coded with the UK SNOMED CT extension concept the NEWS2 table names
(`snomed_total_code`, 1104051000000101); each sub-score is a component. Only two sub-score
concepts are verified in medlm's clinical reference (UK SNOMED CT extension, as used by
SynaneticsLtd/emergency-department-ig observation/caroltest-news2.fsh): respiration-rate score
1104301000000104 and pulse score 1104351000000103. Every component also carries medlm's own code
(urn:medlm `news2-<sub-score>`), the only code of the other five.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from medlm.errors import ValidationError
from medlm.knowledge.early_warning import News2Table
from medlm.monitor.alerts import VitalAlert
from medlm.monitor.scoring import NEWS2_SUBSCORES
from medlm.monitor.stream import Assessment
from medlm.records import CodeSystem

Json = dict[str, Any]

_SNOMED = CodeSystem.SNOMED.value
_MEDLM = CodeSystem.MEDLM.value
_SUBSCORE_SNOMED = {"respiration_rate": "1104301000000104", "pulse": "1104351000000103"}
_SURVEY = {
    "coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"}
    ]
}
# FHIR R4 v3-ActEncounterCode display names of the Encounter.class codes medlm may carry.
_ENCOUNTER = {"IMP": "inpatient encounter", "AMB": "ambulatory", "EMER": "emergency",
              "OBSENC": "observation encounter", "HH": "home health", "VR": "virtual"}  # fmt: skip
# DetectedIssue.severity by NEWS2 response level (RCP 2017 Chart 4 rows): medlm's mapping of the
# chart's rows onto FHIR's three severities, not a clinical threshold of its own.
_SEVERITY = {4: "high", 3: "high", 2: "moderate", 1: "low", 0: "low"}


def _subscore_component(name: str, points: int) -> Json:
    label = name.replace("_", " ")
    coding = [{"system": _MEDLM, "code": f"news2-{name.replace('_', '-')}",
               "display": f"NEWS2 {label} score"}]  # fmt: skip
    if name in _SUBSCORE_SNOMED:
        coding.insert(0, {"system": _SNOMED, "code": _SUBSCORE_SNOMED[name]})
    return {"code": {"coding": coding, "text": f"NEWS2 {label} score"}, "valueInteger": points}


def news2_observation(
    assessment: Assessment,
    table: News2Table,
    derived_from: Sequence[str] = (),
    resource_id: str | None = None,
) -> Json:
    """A FHIR R4 Observation for a complete NEWS2 total with a component per sub-score;
    `derived_from` are references to the vital-sign Observations it was computed from. A
    partial score has no total to report."""
    from fhir.resources.R4B.observation import Observation as FhirObservation

    news2 = assessment.news2
    if news2.total is None:
        raise ValidationError(
            f"NEWS2 of {assessment.patient_id} at {assessment.time.isoformat()} is partial "
            f"(missing {', '.join(news2.missing)}); no total to export",
            record=assessment.patient_id,
            field="news2.total",
        )
    notes = [{"text": f"{table.name} {table.version}"}]
    if assessment.encounter_class:
        kind = _ENCOUNTER.get(assessment.encounter_class, "see code")
        notes.append({"text": f"encounter class {assessment.encounter_class} ({kind})"})
    resource: Json = {
        "resourceType": "Observation",
        "status": "final",
        "category": [_SURVEY],
        "code": {
            "coding": [
                {
                    "system": _SNOMED,
                    "code": table.snomed_total_code,
                    "display": "National Early Warning Score 2 total",
                }
            ]
        },
        "subject": {"reference": f"Patient/{assessment.patient_id}"},
        "effectiveDateTime": assessment.time.isoformat(),
        "valueInteger": news2.total,
        "interpretation": [{"text": f"{news2.risk} risk; {news2.response}"}],
        "note": notes,
        "component": [
            _subscore_component(name, news2.subscores[name])
            for name in NEWS2_SUBSCORES
            if name in news2.subscores
        ],
    }
    if resource_id:
        resource["id"] = resource_id
    if derived_from:
        resource["derivedFrom"] = [{"reference": ref} for ref in derived_from]
    FhirObservation.model_validate(resource)  # fails loudly if the shape is not valid R4
    return resource


def _threshold(level: int, table: News2Table) -> str:
    """The chart row an alert level stands for, as a threshold a reader can check."""
    row = next((r for r in table.responses if r.level == level), None)
    if row is None:
        return f"level {level}"
    if row.when.min_total is not None:
        return f"{row.name} threshold: NEWS2 total >= {row.when.min_total} ({row.citation})"
    return (
        f"{row.name} threshold: {table.red_score_points} points in one parameter ({row.citation})"
    )


def _values(assessment: Assessment) -> str:
    news2 = assessment.news2
    total = f"NEWS2 {news2.total}" if news2.total is not None else (
        f"NEWS2 >= {news2.partial_total} (partial; missing {', '.join(news2.missing)})"
    )  # fmt: skip
    scored = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in news2.subscores.items() if v)
    return total + (f" (sub-scores {scored})" if scored else "")


def alert_issue(
    alert: VitalAlert,
    assessment: Assessment,
    table: News2Table,
    evidence: Sequence[str] = (),
    score_ref: str | None = None,
) -> Json:
    """A FHIR R4 DetectedIssue for one alert: severity from the response level, detail naming
    the score and sub-scores, the threshold met and the source Observations."""
    from fhir.resources.R4B.detectedissue import DetectedIssue

    sources = ", ".join(evidence) if evidence else "vital signs sent to medlm"
    detail = (
        f"{alert.kind} to level {alert.level} (from {alert.previous_level}): "
        f"{_values(assessment)}; {_threshold(alert.level, table)}; source: {sources}"
    )
    resource: Json = {
        "resourceType": "DetectedIssue",
        "status": "final",
        "code": {
            "coding": [
                {
                    "system": _MEDLM,
                    "code": f"news2-alert-{alert.kind}",
                    "display": f"NEWS2 alert ({alert.kind})",
                }
            ],
        },
        "severity": _SEVERITY.get(alert.level, "high"),
        "patient": {"reference": f"Patient/{alert.patient_id}"},
        "identifiedDateTime": alert.time.isoformat(),
        "detail": detail,
    }
    if score_ref:
        resource["implicated"] = [{"reference": score_ref}]
    if evidence:
        resource["evidence"] = [{"detail": [{"reference": ref} for ref in evidence]}]
    if alert.response:
        resource["mitigation"] = [{"action": {"text": alert.response}}]
    DetectedIssue.model_validate(resource)
    return resource
