"""One validated FHIR R4 resource (JSON) to medlm records, errors named by FHIR path.

Observations are converted in `observations`, medications in `medications`; this module holds
the other resource types and the table of converters. Every converter takes the resource and
the document's reference `Index`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date

from medlm.records.allergy import AllergyCategory, AllergyIntolerance, Criticality
from medlm.records.coding import CodeSystem
from medlm.records.condition import ClinicalStatus, Condition
from medlm.records.fhir import codes, medications, observations
from medlm.records.fhir.parse import (
    Converted,
    FieldError,
    Json,
    allowed,
    build,
    concept_text,
    dated,
    enum_value,
    optional_coding,
    patient_ref,
    pick_coding,
    record_id,
)
from medlm.records.fhir.references import Index
from medlm.records.fhir.times import parse_date, parse_datetime
from medlm.records.note import ClinicalNote
from medlm.records.patient import Patient, Sex

LOINC = CodeSystem.LOINC.value
_PROBLEM_SYSTEMS = (CodeSystem.ICD10CM.value, CodeSystem.SNOMED.value)


def _deceased(res: Json, notes: list[str]) -> tuple[bool, date | None]:
    """Patient.deceased[x]: (deceased, date of death when given)."""
    if res.get("deceasedDateTime"):
        text = res["deceasedDateTime"]
        return True, dated("Patient.deceasedDateTime", parse_date, text, notes)
    return bool(res.get("deceasedBoolean", False)), None


def patient(res: Json, index: Index) -> Converted:
    if not res.get("id"):
        raise FieldError("Patient.id", "a Patient needs an id for other resources to refer to")
    notes: list[str] = []
    sex = enum_value("Patient.gender", Sex, res.get("gender", "unknown"), allowed(Sex))
    birth = res.get("birthDate")
    age = None
    for ext in res.get("extension") or []:
        if ext.get("url") == codes.AGE_EXTENSION:
            age = (ext.get("valueQuantity") or {}).get("value")
    deceased, deceased_on = _deceased(res, notes)
    record = build(
        Patient,
        {"id": "id", "sex": "gender", "birth_date": "birthDate", "age": "extension"},
        "Patient",
        id=record_id(res),
        sex=sex,
        birth_date=dated("Patient.birthDate", parse_date, birth, notes) if birth else None,
        age=age,
        deceased=deceased,
        deceased_on=deceased_on,
    )
    return Converted("patient", [record], None, patient_fhir_id=str(res["id"]), notes=notes)


# Condition.verificationStatus codes that mean the patient does not have the problem
# (http://terminology.hl7.org/CodeSystem/condition-ver-status, FHIR R4).
_NOT_A_PROBLEM = frozenset({"refuted", "entered-in-error"})


def _onset(res: Json, notes: list[str]) -> date | None:
    if res.get("onsetDateTime"):
        return dated("Condition.onsetDateTime", parse_date, res["onsetDateTime"], notes)
    start = (res.get("onsetPeriod") or {}).get("start")
    return dated("Condition.onsetPeriod.start", parse_date, start, notes) if start else None


def condition(res: Json, index: Index) -> Converted:
    """A Condition as a problem; a refuted or entered-in-error one is skipped with a reason.

    A Condition without `clinicalStatus` is read as active (the problem was recorded and
    nothing says it ended).
    """
    ref = patient_ref(res.get("subject"), "Condition.subject")
    verification = optional_coding(res.get("verificationStatus"))
    if verification is not None and verification.code in _NOT_A_PROBLEM:
        reason = f"Condition.verificationStatus is {verification.code!r}: not a problem"
        return Converted("conditions", [], ref, skip_reason=reason)
    status = ClinicalStatus.ACTIVE
    if res.get("clinicalStatus"):
        code = pick_coding(res["clinicalStatus"], "Condition.clinicalStatus").code
        status = enum_value(
            "Condition.clinicalStatus", ClinicalStatus, code, allowed(ClinicalStatus)
        )
    notes: list[str] = []
    record = build(
        Condition,
        {"code": "code", "onset": "onsetDateTime"},
        "Condition",
        id=record_id(res),
        patient_id=ref,
        code=pick_coding(res.get("code"), "Condition.code", _PROBLEM_SYSTEMS),
        onset=_onset(res, notes),
        status=status,
        text=(res.get("code") or {}).get("text"),
    )
    return Converted("conditions", [record], ref, notes=notes)


def allergy(res: Json, index: Index) -> Converted:
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


def document(res: Json, index: Index) -> Converted:
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
    notes: list[str] = []
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
        date=dated("DocumentReference.date", parse_datetime, when, notes) if when else None,
        author_role=author,
    )
    return Converted("notes", [record], ref, notes=notes)


CONVERTERS: dict[str, Callable[[Json, Index], Converted]] = {
    "Patient": patient,
    "Observation": observations.observation,
    "Condition": condition,
    "MedicationStatement": medications.medication,
    "MedicationRequest": medications.medication,
    "AllergyIntolerance": allergy,
    "DocumentReference": document,
}
