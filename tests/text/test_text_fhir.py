"""FHIR R4 output: the patient's facts, validated, with the source span as provenance."""

from __future__ import annotations

from typing import Any

import pytest

from medlm.records import ClinicalNote
from medlm.text import MedicalTextAnalyzer
from medlm.text.fhir import SPAN_URL, to_fhir

TEXT = (
    "Denies chest pain. Possible pneumonia. Metformin 500 mg PO BID. "
    "BP 150/95, HbA1c 8.2%. Mother had breast cancer."
)


@pytest.fixture(scope="module")
def resources(analyzer: MedicalTextAnalyzer) -> list[dict[str, Any]]:
    note = ClinicalNote(id="note-1", patient_id="p1", text=TEXT)
    return to_fhir(analyzer.analyze(note))


def _span(resource: dict[str, Any]) -> tuple[int, int, str]:
    (ext,) = [e for e in resource["extension"] if e["url"] == SPAN_URL]
    values = {e["url"]: e.get("valueInteger", e.get("valueString")) for e in ext["extension"]}
    return values["start"], values["end"], values["text"]


def test_every_resource_points_at_its_text_span(resources: list[dict[str, Any]]) -> None:
    assert resources
    for resource in resources:
        start, end, text = _span(resource)
        assert TEXT[start:end] == text
        assert resource["subject"] == {"reference": "Patient/p1"}


def test_negated_problem_is_refuted_and_possible_is_provisional(
    resources: list[dict[str, Any]],
) -> None:
    status = {
        _span(r)[2]: r["verificationStatus"]["coding"][0]["code"]
        for r in resources
        if r["resourceType"] == "Condition"
    }
    assert status == {"chest pain": "refuted", "pneumonia": "provisional"}


def test_family_history_gives_no_patient_condition(resources: list[dict[str, Any]]) -> None:
    assert all(_span(r)[2] != "breast cancer" for r in resources)


def test_condition_cites_the_document(resources: list[dict[str, Any]]) -> None:
    condition = next(r for r in resources if r["resourceType"] == "Condition")
    assert condition["evidence"] == [{"detail": [{"reference": "DocumentReference/note-1"}]}]


def test_medication_statement_has_dose_route_and_timing(resources: list[dict[str, Any]]) -> None:
    (med,) = [r for r in resources if r["resourceType"] == "MedicationStatement"]
    dosage = med["dosage"][0]
    assert dosage["route"]["text"] == "oral" and dosage["timing"]["code"]["text"] == "twice daily"
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 500
    assert med["derivedFrom"] == [{"reference": "DocumentReference/note-1"}]


def test_blood_pressure_observation_has_systolic_and_diastolic(
    resources: list[dict[str, Any]],
) -> None:
    (bp,) = [r for r in resources if r["resourceType"] == "Observation" and "component" in r]
    codes = [c["code"]["coding"][0]["code"] for c in bp["component"]]
    values = [c["valueQuantity"]["value"] for c in bp["component"]]
    assert codes == ["8480-6", "8462-4"] and values == [150, 95]
    assert bp["component"][0]["valueQuantity"]["code"] == "mm[Hg]"
