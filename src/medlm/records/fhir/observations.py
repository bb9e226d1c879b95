"""FHIR Observations to records: measurements, panels (component and hasMember) and PGx.

Values read: valueQuantity (its `comparator` kept: '>60' is a bound, not a measure),
valueInteger (unit '1'), valueBoolean, valueDateTime, valueString and valueCodeableConcept (as
text). An Observation without a value (dataAbsentReason, or a result still pending) is kept
without one. Other value types (valueRange, valueRatio, valueSampledData, valueTime,
valuePeriod, valueAttachment) are rejected at their path: keeping such an Observation without
its value would show a clinician a result that looks empty when it is not.

Panels: each `component` becomes an Observation of its own, in the group of the panel's id; a
`hasMember` panel's members are resources of their own, read where they stand, and get the
panel's id as their group. A panel without a value of its own adds no record.
"""

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
    dated,
    enum_value,
    patient_ref,
    pick_coding,
    quantity,
    record_id,
)
from medlm.records.fhir.references import Index
from medlm.records.fhir.times import parse_datetime
from medlm.records.observation import Observation, ObservationStatus

LOINC = CodeSystem.LOINC.value
_READ_VALUES = (
    "valueQuantity, valueInteger, valueBoolean, valueDateTime, valueString, valueCodeableConcept"
)


def _effective(res: Json, notes: list[str]) -> Any:
    for key in ("effectiveDateTime", "effectiveInstant"):
        if res.get(key):
            return dated(f"Observation.{key}", parse_datetime, res[key], notes)
    start = (res.get("effectivePeriod") or {}).get("start")
    path = "Observation.effectivePeriod.start"
    return dated(path, parse_datetime, start, notes) if start else None


def _quantity_value(q: Json, path: str) -> dict[str, Any]:
    value, unit = quantity({k: v for k, v in q.items() if k != "comparator"}, path)
    if value is not None and not unit:
        raise FieldError(path, "has a value but no unit (give a UCUM code)", value)
    return {"value": value, "unit": unit, "comparator": q.get("comparator")}


def _value(holder: Json, prefix: str, notes: list[str]) -> dict[str, Any]:
    """The record fields of an Observation's (or component's) value[x]."""
    if "valueQuantity" in holder:
        return _quantity_value(holder["valueQuantity"], f"{prefix}.valueQuantity")
    if "valueInteger" in holder:
        return {"value": float(holder["valueInteger"]), "unit": "1"}
    if "valueBoolean" in holder:
        return {"value_bool": bool(holder["valueBoolean"])}
    if "valueDateTime" in holder:
        path = f"{prefix}.valueDateTime"
        return {"value_time": dated(path, parse_datetime, holder["valueDateTime"], notes)}
    if "valueString" in holder:
        return {"value_text": str(holder["valueString"])}
    if "valueCodeableConcept" in holder:
        return {"value_text": concept_text(holder["valueCodeableConcept"])}
    others = [k for k in holder if k.startswith("value")]
    if others:
        raise FieldError(
            f"{prefix}.{others[0]}", f"medlm reads {_READ_VALUES} only", holder[others[0]]
        )
    return {}


_OBS_PATHS = {
    "value": "valueQuantity",
    "unit": "valueQuantity.unit",
    "comparator": "valueQuantity.comparator",
    "status": "status",
}


def _one_observation(
    res: Json, holder: Json, prefix: str, context: dict[str, Any], notes: list[str]
) -> Observation:
    """An Observation record from a resource or one of its components."""
    values = _value(holder, prefix, notes)
    for note in res.get("note") or []:
        if str(note.get("text", "")).startswith(codes.NOTE_VALUE_TEXT):
            values["value_text"] = note["text"][len(codes.NOTE_VALUE_TEXT) :]
    return build(
        Observation,
        _OBS_PATHS,
        prefix,
        id=holder.get("id") if holder is not res else record_id(res),
        code=pick_coding(holder.get("code"), f"{prefix}.code", (LOINC,)),
        **values,
        **context,
    )


def observation(res: Json, index: Index) -> Converted:
    """An Observation resource as records (a genomic code is read by `genomics`)."""
    ref = patient_ref(res.get("subject"), "Observation.subject")
    code = pick_coding(res.get("code"), "Observation.code", (LOINC,))
    if genomics.is_genomic(code):
        return genomics.genomic_observation(res, ref, index)
    notes: list[str] = []
    context: dict[str, Any] = {
        "patient_id": ref,
        "status": enum_value(
            "Observation.status", ObservationStatus, res.get("status"), allowed(ObservationStatus)
        ),
        "effective": _effective(res, notes),
        "encounter_class": index.encounter_class(res),
    }
    items: list[BaseModel] = []
    has_value = any(key.startswith("value") for key in res)
    if has_value or not (res.get("component") or res.get("hasMember")):
        own = {**context, "group": index.group_of(res)}
        items.append(_one_observation(res, res, "Observation", own, notes))
    group = (
        None if codes.UNGROUPED_TAG in (res.get("meta") or {}).get("tag", []) else record_id(res)
    )
    for i, comp in enumerate(res.get("component") or []):
        comp = comp if comp.get("id") else {**comp, "id": f"{res.get('id')}-{i}"}
        prefix = f"Observation.component[{i}]"
        items.append(_one_observation(res, comp, prefix, {**context, "group": group}, notes))
    return Converted("observations", items, ref, notes=notes)
