"""The guideline rules on FHIR bundles coded as Synthea codes them (SNOMED CT problems, LOINC
vitals, RxNorm-style names), read through the records boundary: issue 16's patients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medlm.records.read import read_document
from medlm.treatment import TreatmentRecommender
from medlm.treatment.results import Action

AS_OF = datetime(2026, 1, 1)
SNOMED, LOINC = "http://snomed.info/sct", "http://loinc.org"


def _condition(code: str, display: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "subject": {"reference": "Patient/p1"},
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": SNOMED, "code": code, "display": display}]},
    }


def _obs(code: str, value: float, unit: str, when: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": when,
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "valueQuantity": {
            "value": value,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }


def _med(name: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": name},
    }


def _bundle(*resources: dict[str, Any], gender: str = "male") -> dict[str, Any]:
    patient = {"resourceType": "Patient", "id": "p1", "gender": gender, "birthDate": "1955-06-01"}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in (patient, *resources)],
    }


def _recommend(bundle: dict[str, Any]) -> Any:
    [record] = read_document(bundle, as_of=AS_OF).records
    return TreatmentRecommender().recommend(record, as_of=AS_OF)


def test_snomed_af_and_hypertension_on_verapamil_gets_anticoagulation_and_no_bp_start() -> None:
    report = _recommend(
        _bundle(
            _condition("49436004", "Atrial fibrillation"),
            _condition("59621000", "Essential hypertension"),
            _med("verapamil hydrochloride 120 MG Oral Tablet"),
            _obs("8480-6", 102, "mm[Hg]", "2025-12-20"),
            _obs("8462-4", 85, "mm[Hg]", "2025-12-20"),
            _obs("8480-6", 109, "mm[Hg]", "2025-11-15"),
            _obs("8462-4", 86, "mm[Hg]", "2025-11-15"),
        )
    )
    starts = {r.rule_id for r in report.recommendations if r.action == Action.START}
    assert "acc-aha-af-anticoagulation-recommend" in starts
    assert not starts & {"acc-aha-first-line", "acc-aha-stage2-two-agents", "acc-aha-raas"}
    af = next(r for r in report.recommendations if r.rule_id.startswith("acc-aha-af-anticoag"))
    assert "CHA2DS2-VASc 2 (hypertension 1, age 1)" in af.rationale  # aged 70 at the as-of date


def test_snomed_heart_failure_with_lvef_runs_the_hfref_rules() -> None:
    report = _recommend(
        _bundle(
            _condition("84114007", "Heart failure"),
            _med("lisinopril 10 MG Oral Tablet"),
            _med("metoprolol succinate 50 MG Extended Release Oral Tablet"),
            _obs("10230-1", 30, "%", "2025-10-01"),
            _obs("2823-3", 4.2, "mmol/L", "2025-12-01"),
            _obs("33914-3", 50, "mL/min/{1.73_m2}", "2025-12-01"),
        )
    )
    rules = {r.rule_id for r in report.recommendations}
    assert {"aha-acc-hfref-mra", "aha-acc-hfref-sglt2-inhibitor"} <= rules
    assert "aha-acc-hfref-raas" not in rules and "aha-acc-hfref-beta-blocker" not in rules
