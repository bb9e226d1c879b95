"""Hand-built FHIR R4 resources for risk tests: a patient, problems, drugs, vitals, smoking."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
SUBJECT = {"reference": "Patient/p1"}
WHEN = "2026-01-10T09:00:00Z"


def bundle(*resources: Json, gender: str, birth_date: str) -> Json:
    patient = {"resourceType": "Patient", "id": "p1", "gender": gender, "birthDate": birth_date}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:{r['resourceType']}-{i}", "resource": r}
            for i, r in enumerate([patient, *resources])
        ],
    }


def condition(rid: str, snomed: str, display: str, status: str = "active") -> Json:
    return {
        "resourceType": "Condition",
        "id": rid,
        "subject": SUBJECT,
        "clinicalStatus": {"coding": [{"code": status}]},
        "code": {"coding": [{"system": SNOMED, "code": snomed, "display": display}]},
        "onsetDateTime": "2015-03-01",
    }


def quantity(rid: str, loinc: str, display: str, value: float, unit: str) -> Json:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "subject": SUBJECT,
        "code": {"coding": [{"system": LOINC, "code": loinc, "display": display}]},
        "effectiveDateTime": WHEN,
        "valueQuantity": {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }


def smoking(rid: str, snomed: str, display: str) -> Json:
    """Tobacco smoking status (LOINC 72166-2) with a US Core SNOMED CT answer."""
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "subject": SUBJECT,
        "code": {
            "coding": [{"system": LOINC, "code": "72166-2", "display": "Tobacco smoking status"}]
        },
        "effectiveDateTime": WHEN,
        "valueCodeableConcept": {
            "coding": [{"system": SNOMED, "code": snomed, "display": display}]
        },
    }


def medication(rid: str, text: str) -> Json:
    return {
        "resourceType": "MedicationStatement",
        "id": rid,
        "status": "active",
        "subject": SUBJECT,
        "medicationCodeableConcept": {"text": text},
    }
