"""The acceptance cases from FHIR R4 Bundles, read by medlm.records.fhir.read_bundle."""

from __future__ import annotations

from typing import Any

from medlm.treatment import TreatmentRecommender, TreatmentReport
from medlm.treatment.inputs import read_patient_document

SUBJECT = {"reference": "Patient/p1"}
LOINC = "http://loinc.org"


def _bundle(*resources: dict[str, Any], gender: str = "male") -> dict[str, Any]:
    patient = {"resourceType": "Patient", "id": "p1", "gender": gender, "birthDate": "1970-05-01"}
    entries = [patient, *resources]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:{r['resourceType']}-{i}", "resource": r}
            for i, r in enumerate(entries)
        ],
    }


def _recommend(recommender: TreatmentRecommender, bundle: dict[str, Any]) -> TreatmentReport:
    given = read_patient_document(bundle)
    return recommender.recommend(given.record, unread=given.unread)


def _concept(text: str, system: str | None = None, code: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if code:
        concept["coding"] = [{"system": system, "code": code, "display": text}]
    return concept


def cyp2c19_poor_metabolizer() -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "pgx1",
        "status": "final",
        "subject": SUBJECT,
        "code": _concept("Genotype display name", LOINC, "84413-4"),
        "valueCodeableConcept": _concept("*2/*2"),
        "component": [
            {
                "code": _concept("Gene studied", LOINC, "48018-6"),
                "valueCodeableConcept": _concept(
                    "CYP2C19", "http://www.genenames.org", "HGNC:2621"
                ),
            },
            {
                "code": _concept("Genotype-derived phenotype", LOINC, "53040-2"),
                "valueCodeableConcept": _concept("Poor metabolizer"),
            },
        ],
    }


def medication_request(text: str, status: str = "active") -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": f"mr-{text.split()[0]}",
        "status": status,
        "intent": "order",
        "subject": SUBJECT,
        "medicationCodeableConcept": _concept(text),
    }


def medication_statement(text: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": f"ms-{text.split()[0]}",
        "status": "active",
        "subject": SUBJECT,
        "medicationCodeableConcept": _concept(text),
    }


def egfr(value: float) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "egfr",
        "status": "final",
        "subject": SUBJECT,
        "code": _concept("eGFR CKD-EPI", LOINC, "62238-1"),
        "valueQuantity": {
            "value": value,
            "unit": "mL/min/1.73m2",
            "system": "http://unitsofmeasure.org",
            "code": "mL/min/{1.73_m2}",
        },
    }


def test_bundle_cyp2c19_poor_metabolizer_with_active_clopidogrel_order(
    recommender: TreatmentRecommender,
) -> None:
    bundle = _bundle(cyp2c19_poor_metabolizer(), medication_request("clopidogrel 75 mg tablet"))
    report = _recommend(recommender, bundle)
    pgx = [i for i in report.issues if i.kind.value == "pharmacogenomic"]
    assert [(i.severity.value, i.drugs) for i in pgx] == [("high", ["clopidogrel"])]
    assert "CPIC" in str(pgx[0].citation)
    assert any(
        r.action.value == "start" and "prasugrel or ticagrelor" in (r.drug_class or "")
        for r in report.recommendations
    )


def test_bundle_egfr_25_on_metformin_is_a_contraindication(
    recommender: TreatmentRecommender,
) -> None:
    report = _recommend(recommender, _bundle(egfr(25), medication_statement("Metformin 500 mg")))
    contra = [i for i in report.issues if i.kind.value == "contraindication"]
    assert [(i.severity.value, i.drugs) for i in contra] == [("high", ["metformin"])]


def test_bundle_pregnant_patient_on_lisinopril_is_a_high_pregnancy_issue(
    recommender: TreatmentRecommender,
) -> None:
    pregnancy = {
        "resourceType": "Observation",
        "id": "preg",
        "status": "final",
        "subject": SUBJECT,
        "code": _concept("Pregnancy status", LOINC, "82810-3"),
        "valueCodeableConcept": _concept("Pregnant", "http://snomed.info/sct", "77386006"),
    }
    bundle = _bundle(pregnancy, medication_statement("lisinopril 10 mg"), gender="female")
    report = _recommend(recommender, bundle)
    preg = [i for i in report.issues if i.kind.value == "pregnancy"]
    assert [(i.severity.value, i.drugs) for i in preg] == [("high", ["lisinopril"])]


def test_an_unreadable_order_is_listed_as_not_checked_not_a_refusal(
    recommender: TreatmentRecommender,
) -> None:
    broken = medication_request("warfarin")
    broken["status"] = "not-a-status"
    report = _recommend(recommender, _bundle(broken, medication_statement("lisinopril 10 mg")))
    line = next(m for m in report.missing if m.startswith("could not read MedicationRequest"))
    assert "'mr-warfarin'" in line and "MedicationRequest.status" in line
