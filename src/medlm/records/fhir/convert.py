"""One validated FHIR R4 resource (JSON) to medlm records, errors named by FHIR path.

Observations are converted in `observations`; this module holds the other resource types.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import BaseModel

from medlm.records.allergy import AllergyCategory, AllergyIntolerance, Criticality
from medlm.records.coding import CodeSystem
from medlm.records.condition import ClinicalStatus, Condition
from medlm.records.fhir import codes, observations
from medlm.records.fhir.parse import (
    Converted,
    FieldError,
    Json,
    allowed,
    build,
    concept_text,
    enum_value,
    optional_coding,
    parsed,
    patient_ref,
    pick_coding,
    quantity,
    record_id,
)
from medlm.records.fhir.times import parse_date, parse_datetime
from medlm.records.medication import Dose, MedicationRequest, MedicationStatement, MedicationStatus
from medlm.records.note import ClinicalNote
from medlm.records.patient import Patient, Sex

LOINC = CodeSystem.LOINC.value
_PROBLEM_SYSTEMS = (CodeSystem.ICD10CM.value, CodeSystem.SNOMED.value)


def patient(res: Json) -> Converted:
    if not res.get("id"):
        raise FieldError("Patient.id", "a Patient needs an id for other resources to refer to")
    sex = enum_value("Patient.gender", Sex, res.get("gender", "unknown"), allowed(Sex))
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


def condition(res: Json) -> Converted:
    ref = patient_ref(res.get("subject"), "Condition.subject")
    status = ClinicalStatus.ACTIVE
    if res.get("clinicalStatus"):
        code = pick_coding(res["clinicalStatus"], "Condition.clinicalStatus").code
        status = enum_value(
            "Condition.clinicalStatus", ClinicalStatus, code, allowed(ClinicalStatus)
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
            value, unit = quantity(rate["doseQuantity"], f"{path}[0].doseAndRate[0].doseQuantity")
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
            "AllergyIntolerance.category", AllergyCategory, category, allowed(AllergyCategory)
        )
        if category
        else None,
        criticality=enum_value(
            "AllergyIntolerance.criticality", Criticality, criticality, allowed(Criticality)
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
    "Observation": observations.observation,
    "Condition": condition,
    "MedicationStatement": medication,
    "MedicationRequest": medication,
    "AllergyIntolerance": allergy,
    "DocumentReference": document,
}
