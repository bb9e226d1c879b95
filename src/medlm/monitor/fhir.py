"""NEWS2 results as FHIR R4 Observations (survey category, SNOMED total code, derivedFrom)."""

from __future__ import annotations

from typing import Any

from medlm.errors import ValidationError
from medlm.knowledge.early_warning import News2Table
from medlm.monitor.stream import Assessment


def news2_observation(
    assessment: Assessment, table: News2Table, derived_from: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A FHIR R4 Observation for a complete NEWS2 total; `derived_from` are references to the
    vital-sign Observations it was computed from. A partial score has no total to report."""
    from fhir.resources.R4B.observation import Observation as FhirObservation

    news2 = assessment.news2
    if news2.total is None:
        raise ValidationError(
            f"NEWS2 of {assessment.patient_id} at {assessment.time.isoformat()} is partial "
            f"(missing {', '.join(news2.missing)}); no total to export",
            record=assessment.patient_id,
            field="news2.total",
        )
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {
                    "system": "http://snomed.info/sct",
                    "code": table.snomed_total_code,
                    "display": "National Early Warning Score 2 total",
                }
            ]
        },
        "subject": {"reference": f"Patient/{assessment.patient_id}"},
        "effectiveDateTime": assessment.time.isoformat(),
        "valueInteger": news2.total,
        "interpretation": [{"text": f"{news2.risk} risk; {news2.response}"}],
        "note": [{"text": f"{table.name} {table.version}"}],
    }
    if derived_from:
        resource["derivedFrom"] = [{"reference": ref} for ref in derived_from]
    FhirObservation.model_validate(resource)  # fails loudly if the shape is not valid R4
    return resource
