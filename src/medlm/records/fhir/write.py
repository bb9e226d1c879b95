"""Records to a FHIR R4 collection Bundle: one resource per record, stable ids, Patient refs."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from typing import Any

from medlm.records.allergy import AllergyIntolerance
from medlm.records.coding import CodeSystem, Coding
from medlm.records.condition import Condition
from medlm.records.fhir import codes, genomics
from medlm.records.fhir.times import format_datetime
from medlm.records.medication import MedicationRequest, MedicationStatement
from medlm.records.note import ClinicalNote
from medlm.records.observation import Observation
from medlm.records.patient import Patient
from medlm.records.patient_record import PatientRecord

Json = dict[str, Any]
_ID = re.compile(codes.FHIR_ID_PATTERN)


class _Ids:
    """Stable FHIR ids: the record's id when valid, else a hash of it (original kept)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def assign(self, resource: Json, record_id: str | None, fallback: str) -> str:
        if record_id is not None and _ID.fullmatch(record_id) and record_id not in self.used:
            fhir_id = record_id
        else:
            seed = record_id if record_id is not None else fallback
            fhir_id = "m-" + hashlib.sha1(seed.encode()).hexdigest()[:20]
            while fhir_id in self.used:
                fhir_id = "m-" + hashlib.sha1((fhir_id + seed).encode()).hexdigest()[:20]
            if record_id is not None:
                resource["identifier"] = [{"system": codes.ID_SYSTEM, "value": record_id}]
        self.used.add(fhir_id)
        resource["id"] = fhir_id
        return fhir_id


def _coding(coding: Coding) -> Json:
    out: Json = {"system": coding.system, "code": coding.code}
    if coding.display:
        out["display"] = coding.display
    return out


def _concept(coding: Coding | None, text: str | None = None) -> Json:
    out: Json = {}
    if coding is not None:
        out["coding"] = [_coding(coding)]
    if text:
        out["text"] = text
    return out


def _quantity(value: float, unit: str) -> Json:
    return {"value": value, "unit": unit, "system": CodeSystem.UCUM.value, "code": unit}


def _patient(patient: Patient) -> Json:
    out: Json = {"resourceType": "Patient", "gender": patient.sex.value}
    if patient.birth_date is not None:
        out["birthDate"] = patient.birth_date.isoformat()
    if patient.age is not None:
        out["extension"] = [
            {"url": codes.AGE_EXTENSION, "valueQuantity": _quantity(patient.age, "a")}
        ]
    if patient.deceased_on is not None:
        out["deceasedDateTime"] = patient.deceased_on.isoformat()
    elif patient.deceased:
        out["deceasedBoolean"] = True
    return out


def _observation(obs: Observation, where: str) -> Json:
    out: Json = {"resourceType": "Observation", "status": obs.status.value}
    out["code"] = _concept(obs.code)
    if obs.effective is not None:
        out["effectiveDateTime"] = format_datetime(obs.effective, where)
    if obs.value is not None:
        assert obs.unit is not None  # the record's validator guarantees it
        out["valueQuantity"] = _quantity(obs.value, obs.unit)
        if obs.comparator is not None:
            out["valueQuantity"]["comparator"] = obs.comparator
    elif obs.value_bool is not None:
        out["valueBoolean"] = obs.value_bool
    elif obs.value_time is not None:
        out["valueDateTime"] = format_datetime(obs.value_time, where)
    elif obs.value_text is not None:
        out["valueString"] = obs.value_text
    if obs.value_text is not None and "valueString" not in out:
        out["note"] = [{"text": codes.NOTE_VALUE_TEXT + obs.value_text}]
    return out


def _bp_panel(first: Observation, second: Observation, where: str) -> Json:
    """One panel Observation whose components keep each reading's own id and order."""
    out: Json = {"resourceType": "Observation", "status": first.status.value}
    if first.group is None:
        out["meta"] = {"tag": [dict(codes.UNGROUPED_TAG)]}
    out["code"] = {"coding": [{"system": CodeSystem.LOINC.value, "code": codes.BP_PANEL}]}
    if first.effective is not None:
        out["effectiveDateTime"] = format_datetime(first.effective, where)
    components = []
    for obs in (first, second):
        component: Json = {"code": _concept(obs.code)}
        if obs.id is not None:
            component["id"] = obs.id
        if obs.value is not None and obs.unit is not None:
            component["valueQuantity"] = _quantity(obs.value, obs.unit)
            if obs.comparator is not None:
                component["valueQuantity"]["comparator"] = obs.comparator
        components.append(component)
    out["component"] = components
    return out


def _condition(cond: Condition) -> Json:
    out: Json = {"resourceType": "Condition", "code": _concept(cond.code, cond.text)}
    out["clinicalStatus"] = {
        "coding": [{"system": codes.CONDITION_CLINICAL, "code": cond.status.value}]
    }
    if cond.onset is not None:
        out["onsetDateTime"] = cond.onset.isoformat()
    return out


def _dosage(med: MedicationStatement | MedicationRequest) -> list[Json]:
    dosage: Json = {}
    if med.frequency:
        dosage["timing"] = {"code": {"text": med.frequency}}
    if med.route:
        dosage["route"] = {"text": med.route}
    if med.dose is not None:
        dose = (
            _quantity(med.dose.value, med.dose.unit)
            if med.dose.unit is not None
            else {"value": med.dose.value}
        )
        dosage["doseAndRate"] = [{"doseQuantity": dose}]
    return [dosage] if dosage else []


def _product(med: MedicationStatement | MedicationRequest) -> Json:
    """A contained Medication with the product's code, form, ingredients and strength.

    The strength goes on the first ingredient as an amount per one unit of the form; without
    coded ingredients it goes on a text-only ingredient (read back as the strength alone).
    """
    product: Json = {"resourceType": "Medication", "id": "product"}
    product["code"] = _concept(med.code, med.name)
    if med.form:
        product["form"] = {"text": med.form}
    items = [{"itemCodeableConcept": _concept(c)} for c in med.ingredients]
    if med.strength is not None:
        if not items:
            items = [{"itemCodeableConcept": {"text": med.label}}]
        amount = {"value": med.strength.value}
        if med.strength.unit is not None:
            amount = _quantity(med.strength.value, med.strength.unit)
        items[0]["strength"] = {"numerator": amount, "denominator": {"value": 1}}
    if items:
        product["ingredient"] = items
    return product


def _medication(med: MedicationStatement | MedicationRequest) -> Json:
    is_request = isinstance(med, MedicationRequest)
    out: Json = {"resourceType": type(med).__name__, "status": med.status.value}
    if med.form or med.ingredients or med.strength is not None:
        out["contained"] = [_product(med)]
        out["medicationReference"] = {"reference": "#product"}
    else:
        out["medicationCodeableConcept"] = _concept(med.code, med.name)
    if dosage := _dosage(med):
        out["dosage" + ("Instruction" if is_request else "")] = dosage
    if isinstance(med, MedicationRequest):
        out["intent"] = "order"
        if med.authored_on is not None:
            out["authoredOn"] = med.authored_on.isoformat()
    elif med.effective_start is not None:
        out["effectivePeriod"] = {"start": med.effective_start.isoformat()}
    return out


def _allergy(allergy: AllergyIntolerance) -> Json:
    out: Json = {"resourceType": "AllergyIntolerance"}
    out["clinicalStatus"] = {
        "coding": [
            {
                "system": codes.ALLERGY_CLINICAL,
                "code": "active" if allergy.active else "inactive",
            }
        ]
    }
    out["code"] = _concept(allergy.code, allergy.substance)
    if allergy.category is not None:
        out["category"] = [allergy.category.value]
    if allergy.criticality is not None:
        out["criticality"] = allergy.criticality.value
    if allergy.reaction:
        out["reaction"] = [{"manifestation": [{"text": allergy.reaction}]}]
    return out


def _note(note: ClinicalNote, where: str) -> Json:
    attachment: Json = {
        "contentType": "text/plain; charset=utf-8",
        "data": base64.b64encode(note.text.encode("utf-8")).decode("ascii"),
    }
    if note.date is not None:
        attachment["creation"] = format_datetime(note.date, where)
    out: Json = {"resourceType": "DocumentReference", "status": "current"}
    if note.note_type:
        out["type"] = {"text": note.note_type}
    if note.author_role:
        out["author"] = [{"type": "PractitionerRole", "display": note.author_role}]
    out["content"] = [{"attachment": attachment}]
    return out


def _bp_pairs(observations: Sequence[Observation]) -> dict[int, int]:
    """Index -> index of its partner, pairing LOINC systolic and diastolic readings with the
    same time and status, each key the earlier reading of its pair."""

    def is_code(obs: Observation, code: str) -> bool:
        return obs.code.system == CodeSystem.LOINC.value and obs.code.code == code

    free = [i for i, o in enumerate(observations) if is_code(o, codes.BP_DIASTOLIC)]
    pairs: dict[int, int] = {}
    for i, obs in enumerate(observations):
        if not is_code(obs, codes.BP_SYSTOLIC):
            continue
        for j in free:
            other = observations[j]
            if (other.effective, other.status, other.group) == (
                obs.effective,
                obs.status,
                obs.group,
            ):
                pairs[min(i, j)] = max(i, j)
                free.remove(j)
                break
    return pairs


def _observation_resources(record: PatientRecord, pid: str) -> list[tuple[str | None, Json]]:
    observations = record.observations
    pairs = _bp_pairs(observations)
    paired = set(pairs.values())
    out: list[tuple[str | None, Json]] = []
    for i, obs in enumerate(observations):
        where = f"patient {pid} observation {obs.id or i}"
        if i in pairs:
            out.append((obs.group, _bp_panel(obs, observations[pairs[i]], where)))
        elif i not in paired:
            out.append((obs.id, _observation(obs, where)))
    return out


def _patient_resources(record: PatientRecord, pid: str) -> list[tuple[str | None, Json]]:
    """(record id, resource) for everything in one record except the Patient itself."""
    out = _observation_resources(record, pid)
    out += [(c.id, _condition(c)) for c in record.conditions]
    out += [(m.id, _medication(m)) for m in record.medication_statements]
    out += [(m.id, _medication(m)) for m in record.medication_requests]
    out += [(a.id, _allergy(a)) for a in record.allergies]
    out += [(n.id, _note(n, f"patient {pid} note {n.id or i}")) for i, n in enumerate(record.notes)]
    out += [(p.id, genomics.pgx_resource(p)) for p in record.pharmacogenomics]
    out += [(v.id, genomics.variant_resource(v)) for v in record.variants]
    return out


def to_bundle(records: Sequence[PatientRecord]) -> dict[str, Any]:
    """The records as a FHIR R4 `collection` Bundle (a JSON-ready dict).

    Every resource refers to its patient as `Patient/<id>` (AllergyIntolerance via `patient`,
    the others via `subject`). A record id that is a valid FHIR id is kept as the resource id;
    any other id is replaced by a stable hash and kept as an identifier in the `urn:medlm:id`
    system, which `read_bundle` restores; a missing id gets a stable generated one.

    Mapping: Observation -> Observation (LOINC/other coding, `valueQuantity` in UCUM, or
    `valueString`); a LOINC systolic and diastolic reading with the same time and status ->
    one blood-pressure panel (85354-9) whose components keep each reading's id, placed where
    the earlier of the two was (so the later one moves up next to it on reading); a patient's
    age without birth date -> the `urn:medlm:fhir:patient-age` extension; ClinicalNote ->
    DocumentReference with a base64 text/plain attachment (its date as `attachment.creation`);
    PharmacogenomicResult -> an Observation coded 84413-4 (genotype display name) whose value
    text is the diplotype, with components 48018-6 (gene studied, text = HGNC symbol) and
    53040-2 (phenotype text) as in the HL7 Genomics Reporting IG STU2 (see `codes`).

    Raises ValidationError for a naive datetime with a time of day (FHIR needs a zone).
    """
    ids = _Ids()
    entries: list[Json] = []
    for record in records:
        pid = record.patient.id
        patient = _patient(record.patient)
        fhir_pid = ids.assign(patient, pid, f"Patient|{pid}")
        entries.append({"resource": patient})
        ref = {"reference": f"Patient/{fhir_pid}"}
        for index, (record_id, resource) in enumerate(_patient_resources(record, pid)):
            kind = resource["resourceType"]
            ids.assign(resource, record_id, f"{kind}|{pid}|{index}")
            resource["patient" if kind == "AllergyIntolerance" else "subject"] = ref
            entries.append({"resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
