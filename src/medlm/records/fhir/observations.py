"""FHIR Observations to records: measurements, panel components and PGx genotypes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from medlm.records.coding import CodeSystem
from medlm.records.fhir import codes, genomics
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
from medlm.records.fhir.times import parse_datetime
from medlm.records.observation import Observation, ObservationStatus

LOINC = CodeSystem.LOINC.value


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
        value, unit = quantity(code_holder["valueQuantity"], f"{prefix}.valueQuantity")
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
        "Observation.status", ObservationStatus, res.get("status"), allowed(ObservationStatus)
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
    if code.system == LOINC and code.code in genomics.GENOMIC_CODES:
        return genomics.genomic_observation(res, ref)
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
