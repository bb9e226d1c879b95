"""FHIR MedicationRequest and MedicationStatement to records, with the product they name.

The product comes from `medicationCodeableConcept` or from the Medication a
`medicationReference` names (contained `#id`, `urn:uuid:` fullUrl, relative `Medication/x` or an
absolute URL): its code and text, its ingredients (`itemCodeableConcept` or `itemReference`), its
form, and its strength when exactly one ingredient gives an amount per one unit of the form.
A reference that does not resolve is a FieldError naming the field and the reference.

Several dosage lines (a tapering schedule, or a loading dose then maintenance) are not refused:
the first line is read, as the one that applies now or first, and a report note names the
others, so nobody is led to believe the first line is the whole instruction.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from medlm.records.coding import CodeSystem, Coding
from medlm.records.fhir.parse import (
    Converted,
    FieldError,
    Json,
    build,
    concept_text,
    dated,
    enum_value,
    optional_coding,
    patient_ref,
    quantity,
    record_id,
)
from medlm.records.fhir.references import Index, reference_text
from medlm.records.fhir.times import parse_date
from medlm.records.medication import Dose, MedicationRequest, MedicationStatement, MedicationStatus

_DRUG_SYSTEMS = (CodeSystem.RXNORM.value,)


def _ingredient(
    item: Json, holder: Json, index: Index, notes: list[str], path: str
) -> Coding | None:
    """The coding of one Medication.ingredient (its item concept or the resource it names)."""
    if "itemCodeableConcept" in item:
        concept = item["itemCodeableConcept"]
    else:
        found = index.resolve(item.get("itemReference"), holder)
        if found is None:
            raise FieldError(
                f"{path}.itemReference",
                "does not resolve to a Substance or Medication in the document",
                reference_text(item.get("itemReference")),
            )
        concept = found.get("code")
    coding = optional_coding(concept, _DRUG_SYSTEMS)
    if coding is None and concept_text(concept):
        notes.append(f"{path}: ingredient {concept_text(concept)!r} has no code; not listed")
    return coding


def _strength(ratio: Json, path: str) -> Dose | None:
    """The amount per one unit of the dose form, from a Ratio; None for other denominators."""
    denominator = ratio.get("denominator") or {}
    if denominator.get("value", 1) != 1 or not ratio.get("numerator"):
        return None
    value, unit = quantity(ratio["numerator"], f"{path}.numerator")
    if value is None:
        return None
    return build(Dose, {}, f"{path}.numerator", value=value, unit=unit)


def _product_of(med: Json, holder: Json, index: Index, path: str, notes: list[str]) -> Json:
    """Code, name, ingredients, strength and form of a Medication resource."""
    ingredients: list[Coding] = []
    strengths: list[Dose] = []
    for i, item in enumerate(med.get("ingredient") or []):
        where = f"{path}.ingredient[{i}]"
        if (coding := _ingredient(item, holder, index, notes, where)) is not None:
            ingredients.append(coding)
        if item.get("strength") and (dose := _strength(item["strength"], f"{where}.strength")):
            strengths.append(dose)
    if len(strengths) > 1:
        notes.append(f"{path}: {len(strengths)} ingredient strengths; no single strength set")
    code = optional_coding(med.get("code"), _DRUG_SYSTEMS)
    name = (med.get("code") or {}).get("text")
    if code is None and not name and ingredients:
        # A compounded product without a code of its own is named by its ingredients.
        name = " + ".join(c.display or c.code for c in ingredients)
        notes.append(f"{path}: no product code; named by its ingredients: {name}")
    return {
        "code": code,
        "name": name,
        "ingredients": ingredients,
        "strength": strengths[0] if len(strengths) == 1 else None,
        "form": concept_text(med.get("form")),
    }


def _product(res: Json, kind: str, index: Index, notes: list[str]) -> Json:
    if "medicationCodeableConcept" in res:
        concept = res["medicationCodeableConcept"]
        return {"code": optional_coding(concept, _DRUG_SYSTEMS), "name": concept.get("text")}
    path = f"{kind}.medicationReference"
    text = reference_text(res.get("medicationReference"))
    if text is None:
        raise FieldError(f"{kind}.medication[x]", "no medicationCodeableConcept or reference")
    found = index.resolve(res["medicationReference"], res)
    if found is None:
        raise FieldError(
            f"{path}.reference",
            "does not resolve to a Medication in the document "
            "(contained '#id', a fullUrl, or Medication/id)",
            text,
        )
    if found.get("resourceType") != "Medication":
        raise FieldError(f"{path}.reference", f"names a {found.get('resourceType')}", text)
    product = _product_of(found, res, index, f"{path}({text})", notes)
    if not product["name"] and res["medicationReference"].get("display"):
        product["name"] = str(res["medicationReference"]["display"])
    return product


def _dose(rates: list[Json], path: str, notes: list[str]) -> Dose | None:
    for i, rate in enumerate(rates):
        if "doseQuantity" in rate:
            where = f"{path}.doseAndRate[{i}].doseQuantity"
            value, unit = quantity(rate["doseQuantity"], where)
            return build(Dose, {"value": "value"}, where, value=value, unit=unit)
        if "doseRange" in rate:
            notes.append(f"{path}.doseAndRate[{i}]: a dose range is not read as a dose")
    return None


def _dosage(dosages: list[Json], path: str, notes: list[str]) -> dict[str, Any]:
    """Frequency, route and dose of the first dosage line; a note names any others."""
    if not dosages:
        return {}
    if len(dosages) > 1:
        others = "; ".join(str(d.get("text") or f"line {i + 1}") for i, d in enumerate(dosages[1:]))
        notes.append(
            f"{path}: {len(dosages)} dosage lines (e.g. a tapering schedule); the first "
            f"({dosages[0].get('text') or 'line 0'}) is read, not the others: {others}"
        )
    first = dosages[0]
    out: dict[str, Any] = {
        "frequency": concept_text((first.get("timing") or {}).get("code")),
        "route": concept_text(first.get("route")),
    }
    dose = _dose(first.get("doseAndRate") or [], f"{path}[0]", notes)
    if dose is not None:
        out["dose"] = dose
    return out


def medication(res: Json, index: Index) -> Converted:
    """A MedicationRequest or MedicationStatement as its record."""
    kind = res["resourceType"]
    is_request = kind == "MedicationRequest"
    ref = patient_ref(res.get("subject"), f"{kind}.subject")
    notes: list[str] = []
    status = enum_value(f"{kind}.status", MedicationStatus, res.get("status"), "FHIR R4 codes")
    dosage_key = "dosageInstruction" if is_request else "dosage"
    values: dict[str, Any] = {
        "id": record_id(res),
        "patient_id": ref,
        "status": status,
        **_product(res, kind, index, notes),
        **_dosage(res.get(dosage_key) or [], f"{kind}.{dosage_key}", notes),
    }
    if is_request:
        when = res.get("authoredOn")
        values["authored_on"] = (
            dated(f"{kind}.authoredOn", parse_date, when, notes) if when else None
        )
        record: BaseModel = build(MedicationRequest, {}, kind, **values)
    else:
        path, when = (
            f"{kind}.effectivePeriod.start",
            (res.get("effectivePeriod") or {}).get("start"),
        )
        if res.get("effectiveDateTime"):
            path, when = f"{kind}.effectiveDateTime", res["effectiveDateTime"]
        values["effective_start"] = dated(path, parse_date, when, notes) if when else None
        record = build(MedicationStatement, {}, kind, **values)
    target = "medication_requests" if is_request else "medication_statements"
    return Converted(target, [record], ref, notes=notes)
