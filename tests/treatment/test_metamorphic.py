"""Metamorphic tests: the same patient written differently (LDL in mmol/L, an age instead of a
birth date, medicationReference instead of a code, among irrelevant resources) gets the same
recommendations and issues."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from medlm.treatment import TreatmentRecommender, TreatmentReport
from medlm.treatment.inputs import read_patient_document

AS_OF = "2026-06-01"


def _outcome(recommender: TreatmentRecommender, bundle: dict[str, Any]) -> Any:
    given = read_patient_document(bundle)
    when = date.fromisoformat(AS_OF)
    report: TreatmentReport = recommender.recommend(given.record, as_of=when, unread=given.unread)
    return (
        sorted((r.action.value, r.drug, r.drug_class, r.rule_id) for r in report.recommendations),
        sorted((i.rule_id, tuple(i.drugs), i.severity.value) for i in report.issues),
    )


SUBJECT = {"reference": "Patient/p1"}
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _base(
    *,
    ldl: tuple[float, str, str] = (195.0, "mg/dL", "mg/dL"),
    age_by_birth: bool = True,
    by_reference: bool = False,
    noise: bool = False,
) -> dict[str, Any]:
    patient: dict[str, Any] = {"resourceType": "Patient", "id": "p1", "gender": "male"}
    if age_by_birth:
        patient["birthDate"] = "1970-03-01"
    else:
        patient["extension"] = [
            {
                "url": "urn:medlm:fhir:patient-age",
                "valueQuantity": {
                    "value": 56,
                    "unit": "a",
                    "system": "http://unitsofmeasure.org",
                    "code": "a",
                },
            }
        ]
    value, unit, code = ldl
    observation = {
        "resourceType": "Observation",
        "id": "ldl",
        "status": "final",
        "subject": SUBJECT,
        "effectiveDateTime": "2026-05-01",
        "code": {"coding": [{"system": "http://loinc.org", "code": "13457-7"}]},
        "valueQuantity": {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": code,
        },
    }
    concept = {
        "coding": [{"system": RXNORM, "code": "314231", "display": "simvastatin 10 MG Oral Tablet"}]
    }
    request: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "mr1",
        "status": "active",
        "intent": "order",
        "subject": SUBJECT,
        "dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": 1}}]}],
    }
    resources: list[dict[str, Any]] = [patient, observation, request]
    if by_reference:
        request["medicationReference"] = {"reference": "#med"}
        request["contained"] = [{"resourceType": "Medication", "id": "med", "code": concept}]
    else:
        request["medicationCodeableConcept"] = concept
    if noise:
        resources += [
            {
                "resourceType": "Encounter",
                "id": "e1",
                "status": "finished",
                "class": {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "AMB",
                },
                "subject": SUBJECT,
            },
            {"resourceType": "Organization", "id": "o1", "name": "Clinic"},
        ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


@pytest.mark.parametrize(
    "variant",
    [
        {"ldl": (5.043, "mmol/L", "mmol/L")},
        {"age_by_birth": False},
        {"by_reference": True},
        {"noise": True},
    ],
    ids=["ldl_mmol_per_l", "age_instead_of_birth_date", "medication_reference", "wrapped"],
)
def test_the_same_patient_written_differently_gets_the_same_treatment_output(
    recommender: TreatmentRecommender, variant: dict[str, Any]
) -> None:
    reference = _outcome(recommender, _base())
    assert reference[0]  # the statin adjustment (simvastatin 10 mg is low intensity) is there
    assert _outcome(recommender, _base(**copy.deepcopy(variant))) == reference
