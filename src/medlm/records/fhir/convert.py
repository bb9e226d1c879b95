"""One validated FHIR R4 resource (JSON) to medlm records, errors named by FHIR path."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import BaseModel

from medlm.records.allergy import AllergyCategory, AllergyIntolerance, Criticality
from medlm.records.coding import CodeSystem
from medlm.records.condition import ClinicalStatus, Condition
from medlm.records.fhir import codes
from medlm.records.fhir.parse import (
    Converted,
    FieldError,
    Json,
    build,
    concept_text,
    enum_value,
    optional_coding,
    parsed,
    patient_ref,
    pick_coding,
    record_id,
)
from medlm.records.fhir.times import parse_date, parse_datetime
from medlm.records.genomics import PharmacogenomicResult
from medlm.records.medication import Dose, MedicationRequest, MedicationStatement, MedicationStatus
from medlm.records.note import ClinicalNote
from medlm.records.observation import Observation, ObservationStatus
from medlm.records.patient import Patient, Sex

LOINC = CodeSystem.LOINC.value
_PROBLEM_SYSTEMS = (CodeSystem.ICD10CM.value, CodeSystem.SNOMED.value)


def _allowed(enum: Any) -> str:
    return ", ".join(member.value for member in enum)


def patient(res: Json) -> Converted:
    if not res.get("id"):
        raise FieldError("Patient.id", "a Patient needs an id for other resources to refer to")
    sex = enum_value("Patient.gender", Sex, res.get("gender", "unknown"), _allowed(Sex))
    birth = res.get("birthDate")
    age = None
    for ext in res.get("extension") or []:
        if ext.get("url") == codes.AGE_EXTENSION:
            age = (ext.get("valueQuantity") or {}).get("value")
    record = build(
        Patient,
        {"id": "id", "sex": "gender", "birth_date": "birthDate", "age": "extension"},
        "Patient",
        id=record_id(res),
        sex=sex,
        birth_date=parsed("Patient.birthDate", parse_date, birth) if birth else None,
        age=age,
    )
    return Converted("patient", [record], None, patient_fhir_id=str(res["id"]))


def _quantity(q: Json, path: str) -> tuple[float | None, str | None]:
    if q.get("comparator"):
        raise FieldError(
            f"{path}.comparator",
            f"comparator {q['comparator']!r} cannot be kept in a numeric record value",
        )
    unit = q.get("code") if q.get("system") == CodeSystem.UCUM.value else None
    value = q.get("value")
    return (float(value) if value is not None else None), unit or q.get("unit")


def _components(res: Json) -> dict[str, Json]:
    """Components by their first code."""
    out: dict[str, Json] = {}
    for comp in res.get("component") or []:
        coding = optional_coding(comp.get("code"))
        if coding is not None:
            out[coding.code] = comp
    return out


def _effective(res: Json, prefix: str) -> Any:
    for key in ("effectiveDateTime", "effectiveInstant"):
        if res.get(key):
            return parsed(f"{prefix}.{key}", parse_datetime, res[key])
    start = (res.get("effectivePeriod") or {}).get("start")
    return parsed(f"{prefix}.effectivePeriod.start", parse_datetime, start) if start else None


_OBS_PATHS = {"value": "valueQuantity", "unit": "valueQuantity.unit", "status": "status"}


def _one_observation(res: Json, ref: str, code_holder: Json, prefix: str) -> Observation:
    """An Observation record from a resource or one of its components."""
    value = unit = text = None
    if "valueQuantity" in code_holder:
        value, unit = _quantity(code_holder["valueQuantity"], f"{prefix}.valueQuantity")
    elif "valueString" in code_holder:
        text = code_holder["valueString"]
    elif "valueCodeableConcept" in code_holder:
        text = concept_text(code_holder["valueCodeableConcept"])
    else:
        others = [k for k in code_holder if k.startswith("value")]
        if others:
            raise FieldError(
                f"{prefix}.{others[0]}",
                "medlm reads valueQuantity, valueString or valueCodeableConcept",
            )
    if value is not None and not unit:
        raise FieldError(f"{prefix}.valueQuantity", "has a value but no unit (give a UCUM code)")
    for note in res.get("note") or []:
        if str(note.get("text", "")).startswith(codes.NOTE_VALUE_TEXT):
            text = note["text"][len(codes.NOTE_VALUE_TEXT) :]
    status = enum_value(
        "Observation.status", ObservationStatus, res.get("status"), _allowed(ObservationStatus)
    )
    return build(
        Observation,
        _OBS_PATHS,
        prefix,
        id=code_holder.get("id") if code_holder is not res else record_id(res),
        patient_id=ref,
        code=pick_coding(code_holder.get("code"), f"{prefix}.code", (LOINC,)),
        value=value,
        unit=unit,
        value_text=text,
        effective=_effective(res, "Observation"),
        status=status,
    )


def observation(res: Json) -> Converted:
    ref = patient_ref(res.get("subject"), "Observation.subject")
    code = pick_coding(res.get("code"), "Observation.code", (LOINC,))
    components = _components(res)
    if code.system == LOINC and code.code == codes.PGX_GENOTYPE:
        return _pgx(res, ref, components)
    # A value of its own (or no components) is one record; each component is one more, so
    # a blood-pressure panel (85354-9, no value) becomes its systolic and diastolic readings.
    items: list[BaseModel] = []
    has_value = any(key.startswith("value") for key in res)
    if has_value or not res.get("component"):
        items.append(_one_observation(res, ref, res, "Observation"))
    for i, comp in enumerate(res.get("component") or []):
        comp = comp if comp.get("id") else {**comp, "id": f"{res.get('id')}-{i}"}
        items.append(_one_observation(res, ref, comp, f"Observation.component[{i}]"))
    return Converted("observations", items, ref)


def _pgx(res: Json, ref: str, components: dict[str, Json]) -> Converted:
    gene = components.get(codes.PGX_GENE_STUDIED)
    if gene is None:
        raise FieldError("Observation.component", f"no gene-studied ({codes.PGX_GENE_STUDIED})")
    phenotype = components.get(codes.PGX_PHENOTYPE)
    record = build(
        PharmacogenomicResult,
        {"gene": "component", "diplotype": "valueCodeableConcept"},
        "Observation",
        id=record_id(res),
        patient_id=ref,
        gene=concept_text(gene.get("valueCodeableConcept")),
        diplotype=concept_text(res.get("valueCodeableConcept")),
        phenotype=concept_text(phenotype.get("valueCodeableConcept")) if phenotype else None,
    )
    return Converted("pharmacogenomics", [record], ref)


def condition(res: Json) -> Converted:
    ref = patient_ref(res.get("subject"), "Condition.subject")
    status = ClinicalStatus.ACTIVE
    if res.get("clinicalStatus"):
        code = pick_coding(res["clinicalStatus"], "Condition.clinicalStatus").code
        status = enum_value(
            "Condition.clinicalStatus", ClinicalStatus, code, _allowed(ClinicalStatus)
        )
    onset = res.get("onsetDateTime")
    record = build(
        Condition,
        {"code": "code", "onset": "onsetDateTime"},
        "Condition",
        id=record_id(res),
        patient_id=ref,
        code=pick_coding(res.get("code"), "Condition.code", _PROBLEM_SYSTEMS),
        onset=parsed("Condition.onsetDateTime", parse_date, onset) if onset else None,
        status=status,
    )
    return Converted("conditions", [record], ref)


def _dosage(dosages: list[Json], path: str) -> dict[str, Any]:
    if not dosages:
        return {}
    if len(dosages) > 1:
        raise FieldError(f"{path}[1]", "medlm reads one dosage per resource; split them")
    first = dosages[0]
    out: dict[str, Any] = {
        "frequency": concept_text((first.get("timing") or {}).get("code")),
        "route": concept_text(first.get("route")),
    }
    for rate in first.get("doseAndRate") or []:
        if "doseQuantity" in rate:
            value, unit = _quantity(rate["doseQuantity"], f"{path}[0].doseAndRate[0].doseQuantity")
            out["dose"] = build(
                Dose, {}, f"{path}[0].doseAndRate[0].doseQuantity", value=value, unit=unit
            )
    return out


def medication(res: Json) -> Converted:
    kind = res["resourceType"]
    is_request = kind == "MedicationRequest"
    ref = patient_ref(res.get("subject"), f"{kind}.subject")
    if "medicationCodeableConcept" not in res:
        raise FieldError(f"{kind}.medication[x]", "medlm reads medicationCodeableConcept only")
    concept = res["medicationCodeableConcept"]
    status = enum_value(f"{kind}.status", MedicationStatus, res.get("status"), "FHIR R4 codes")
    dosage_key = "dosageInstruction" if is_request else "dosage"
    values: dict[str, Any] = {
        "id": record_id(res),
        "patient_id": ref,
        "code": optional_coding(concept, (CodeSystem.RXNORM.value,)),
        "name": concept.get("text"),
        "status": status,
        **_dosage(res.get(dosage_key) or [], f"{kind}.{dosage_key}"),
    }
    if is_request:
        when = res.get("authoredOn")
        values["authored_on"] = parsed(f"{kind}.authoredOn", parse_date, when) if when else None
        record: BaseModel = build(MedicationRequest, {}, kind, **values)
    else:
        when = (res.get("effectivePeriod") or {}).get("start") or res.get("effectiveDateTime")
        values["effective_start"] = parsed(f"{kind}.effective", parse_date, when) if when else None
        record = build(MedicationStatement, {}, kind, **values)
    return Converted(
        "medication_requests" if is_request else "medication_statements", [record], ref
    )


def allergy(res: Json) -> Converted:
    ref = patient_ref(res.get("patient"), "AllergyIntolerance.patient")
    active = True
    if res.get("clinicalStatus"):
        active = pick_coding(res["clinicalStatus"], "AllergyIntolerance.clinicalStatus").code == (
            "active"
        )
    category = (res.get("category") or [None])[0]
    criticality = res.get("criticality")
    reactions = (res.get("reaction") or [{}])[0].get("manifestation") or [None]
    record = build(
        AllergyIntolerance,
        {"code": "code"},
        "AllergyIntolerance",
        id=record_id(res),
        patient_id=ref,
        substance=(res.get("code") or {}).get("text"),
        code=optional_coding(res.get("code")),
        category=enum_value(
            "AllergyIntolerance.category", AllergyCategory, category, _allowed(AllergyCategory)
        )
        if category
        else None,
        criticality=enum_value(
            "AllergyIntolerance.criticality", Criticality, criticality, _allowed(Criticality)
        )
        if criticality
        else None,
        reaction=concept_text(reactions[0]),
        active=active,
    )
    return Converted("allergies", [record], ref)


def document(res: Json) -> Converted:
    ref = patient_ref(res.get("subject"), "DocumentReference.subject")
    path = "DocumentReference.content[0].attachment"
    if len(res.get("content") or []) > 1:
        raise FieldError("DocumentReference.content[1]", "medlm reads one attachment per note")
    attachment = ((res.get("content") or [{}])[0]).get("attachment") or {}
    content_type = str(attachment.get("contentType") or "text/plain")
    if not content_type.startswith("text/"):
        raise FieldError(f"{path}.contentType", f"{content_type!r} is not text")
    if not attachment.get("data"):
        raise FieldError(f"{path}.data", "no inline base64 text; medlm does not fetch URLs")
    try:
        text = base64.b64decode(attachment["data"], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise FieldError(f"{path}.data", f"not base64 UTF-8 text ({exc})") from None
    when = res.get("date") or attachment.get("creation")
    author = (res.get("author") or [{}])[0].get("display")
    record = build(
        ClinicalNote,
        {"text": "content[0].attachment.data"},
        "DocumentReference",
        id=record_id(res),
        patient_id=ref,
        text=text,
        note_type=concept_text(res.get("type")),
        date=parsed("DocumentReference.date", parse_datetime, when) if when else None,
        author_role=author,
    )
    return Converted("notes", [record], ref)


CONVERTERS = {
    "Patient": patient,
    "Observation": observation,
    "Condition": condition,
    "MedicationStatement": medication,
    "MedicationRequest": medication,
    "AllergyIntolerance": allergy,
    "DocumentReference": document,
}
