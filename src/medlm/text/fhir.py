"""FHIR R4 resources from a text analysis, each pointing back to the text span it came from.

Problems become `Condition` (verificationStatus refuted when negated, provisional when possible),
medications `MedicationStatement` and measurements `Observation`. Concepts about a family member,
another person or a hypothetical situation are not the patient's facts and produce no resource;
nor do names in an Allergies section (allergens, not medications taken).
Provenance: the source document is referenced (`Condition.evidence.detail`, `derivedFrom`) when
the analysis has an id, and the character range and text ride in the extension `SPAN_URL`.
Resources are validated with `fhir.resources.R4B`.
"""

from __future__ import annotations

from typing import Any

from medlm.errors import ValidationError
from medlm.knowledge.text import measurement_concepts
from medlm.records import CodeSystem
from medlm.text.results import Entity, TextAnalysis

SPAN_URL = "urn:medlm:fhir:extension:source-text-span"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_SYSTEMS = {"loinc": CodeSystem.LOINC.value, "medlm": CodeSystem.MEDLM.value}


def _span_extension(entity: Entity) -> dict[str, Any]:
    return {
        "url": SPAN_URL,
        "extension": [
            {"url": "start", "valueInteger": entity.start},
            {"url": "end", "valueInteger": entity.end},
            {"url": "text", "valueString": entity.text},
        ],
    }


def _concept(entity: Entity) -> dict[str, Any]:
    codings = [
        {"system": c.coding.system, "code": c.coding.code, "display": c.coding.display}
        for c in sorted(entity.codes, key=lambda c: -c.score)
    ]
    concept: dict[str, Any] = {"text": entity.preferred_name or entity.text}
    if codings:
        concept["coding"] = [{k: v for k, v in c.items() if v is not None} for c in codings]
    return concept


def _subject(analysis: TextAnalysis) -> dict[str, Any]:
    if analysis.patient_id:
        return {"reference": f"Patient/{analysis.patient_id}"}
    return {"display": "patient of the analysed document (no patient id given)"}


def _source(analysis: TextAnalysis) -> list[dict[str, Any]]:
    return [{"reference": f"DocumentReference/{analysis.id}"}] if analysis.id else []


def condition(entity: Entity, analysis: TextAnalysis) -> dict[str, Any]:
    """A Condition resource (JSON) for a problem entity."""
    status = "confirmed"
    if entity.assertion.negated:
        status = "refuted"
    elif entity.assertion.possible:
        status = "provisional"
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "extension": [_span_extension(entity)],
        "verificationStatus": {"coding": [{"system": _VERIFICATION, "code": status}]},
        "code": _concept(entity),
        "subject": _subject(analysis),
    }
    if status == "confirmed" and not entity.assertion.historical:
        resource["clinicalStatus"] = {"coding": [{"system": _CLINICAL, "code": "active"}]}
    if analysis.id:
        resource["evidence"] = [{"detail": _source(analysis)}]
    return resource


def medication_statement(entity: Entity, analysis: TextAnalysis) -> dict[str, Any]:
    """A MedicationStatement resource (JSON) for a medication entity."""
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "extension": [_span_extension(entity)],
        "status": "not-taken" if entity.assertion.negated else "active",
        "medicationCodeableConcept": _concept(entity),
        "subject": _subject(analysis),
    }
    if entity.assertion.historical and not entity.assertion.negated:
        resource["status"] = "completed"
    if analysis.id:
        resource["derivedFrom"] = _source(analysis)
    details = entity.medication
    if details is not None:
        written = analysis.text[entity.start : entity.end + 80].split("\n")[0]
        dosage: dict[str, Any] = {"text": written}
        if details.route:
            dosage["route"] = {"text": details.route}
        if details.frequency:
            dosage["timing"] = {"code": {"text": details.frequency}}
        if details.dose is not None and details.unit:
            dosage["doseAndRate"] = [{"doseQuantity": _quantity(details.dose, details.unit)}]
        resource["dosage"] = [dosage]
    return resource


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": CodeSystem.UCUM.value, "code": unit}


def observation(
    entity: Entity, analysis: TextAnalysis, components: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """An Observation resource (JSON) for a measurement entity."""
    m = entity.measurement
    if m is None:
        raise ValidationError(f"entity {entity.text!r} has no measurement", record="Entity")
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "extension": [_span_extension(entity)],
        "status": "final",
        "code": _concept(entity),
        "subject": _subject(analysis),
    }
    if m.value2 is not None and components:
        values = {"systolic": m.value, "diastolic": m.value2}
        resource["component"] = [
            {"code": _concept_of(components[part]), "valueQuantity": _quantity(value, m.unit)}
            for part, value in values.items()
        ]
    else:
        resource["valueQuantity"] = _quantity(m.value, m.unit)
    if analysis.id:
        resource["derivedFrom"] = _source(analysis)
    return resource


def _concept_of(raw: dict[str, str]) -> dict[str, Any]:
    coding = {"system": _SYSTEMS[raw["system"]], "code": raw["code"], "display": raw.get("display")}
    return {"coding": [{k: v for k, v in coding.items() if v is not None}]}


def to_fhir(analysis: TextAnalysis) -> list[dict[str, Any]]:
    """FHIR R4 resources (JSON dicts, validated with fhir.resources.R4B) for the patient's facts."""
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.medicationstatement import MedicationStatement
    from fhir.resources.R4B.observation import Observation

    parts = {c.id: c.components for c in measurement_concepts()[0]}
    out: list[dict[str, Any]] = []
    for entity in analysis.entities:
        a = entity.assertion
        if a.family or a.hypothetical or a.experiencer != "patient":
            continue
        if entity.section == "allergies":  # allergens are not medications taken
            continue
        if entity.label == "problem":
            out.append(
                Condition.model_validate(condition(entity, analysis)).model_dump(mode="json")
            )
        elif entity.label == "medication":
            resource = medication_statement(entity, analysis)
            out.append(MedicationStatement.model_validate(resource).model_dump(mode="json"))
        elif entity.label == "test" and entity.measurement is not None:
            concept_id = entity.codes[0].matched_term if entity.codes else ""
            resource = observation(entity, analysis, parts.get(concept_id, {}))
            out.append(Observation.model_validate(resource).model_dump(mode="json"))
    return out
