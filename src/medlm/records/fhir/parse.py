"""Shared pieces of reading FHIR resources: field errors, codings, references, record ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pydantic
from pydantic import BaseModel

from medlm.records.coding import CodeSystem, Coding
from medlm.records.fhir import codes
from medlm.records.fhir.times import is_partial, partial_date_note

Json = dict[str, Any]
T = TypeVar("T")


class FieldError(Exception):
    """A resource field that cannot become part of a record; `path` is FHIR-style."""

    def __init__(self, path: str, reason: str, value: Any = None):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.value = None if value is None else str(value)[:200]


@dataclass
class Converted:
    """Records read from one resource, and the FHIR id of the patient they belong to."""

    kind: str  # "patient" or a PatientRecord list attribute, e.g. "observations"
    items: list[BaseModel]
    patient_ref: str | None
    patient_fhir_id: str | None = None  # for a Patient: its FHIR id
    notes: list[str] = field(default_factory=list)  # what the reader decided, for the report
    skip_reason: str | None = None  # set when a relevant resource is deliberately not read


def record_id(resource: Json) -> str | None:
    """The record id: medlm's original id if written as an identifier, else the FHIR id."""
    for ident in resource.get("identifier") or []:
        if ident.get("system") == codes.ID_SYSTEM and ident.get("value"):
            return str(ident["value"])
    rid = resource.get("id")
    return str(rid) if rid is not None else None


def pick_coding(concept: Json | None, path: str, prefer: tuple[str, ...] = ()) -> Coding:
    """The coding of a CodeableConcept, preferring the given systems; FieldError if none."""
    codings = [c for c in (concept or {}).get("coding") or [] if c.get("code")]
    if not codings:
        raise FieldError(f"{path}.coding", "no coding with a code")
    for system in prefer:
        for c in codings:
            if c.get("system") == system:
                return Coding(system=system, code=c["code"], display=c.get("display"))
    first = codings[0]
    return Coding(
        system=first.get("system") or "", code=first["code"], display=first.get("display")
    )


def optional_coding(concept: Json | None, prefer: tuple[str, ...] = ()) -> Coding | None:
    try:
        return pick_coding(concept, "", prefer)
    except FieldError:
        return None


def concept_text(concept: Json | None) -> str | None:
    """A CodeableConcept's text, else its first coding's display or code."""
    if not concept:
        return None
    if concept.get("text"):
        return str(concept["text"])
    coding = optional_coding(concept)
    return (coding.display or coding.code) if coding else None


def patient_ref(reference: Json | None, path: str) -> str:
    """The patient id (or fullUrl) a Reference points at; FieldError if it has none."""
    text = (reference or {}).get("reference")
    if not text:
        raise FieldError(path, "no reference to the patient")
    text = str(text)
    if text.startswith("urn:"):
        return text
    parts = text.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == "Patient":
        return parts[-1]
    raise FieldError(path, f"reference {text!r} is not to a Patient")


def parsed(path: str, parse: Callable[[str], T], text: Any) -> T:
    """`parse(text)`, with any ValueError reported at `path`."""
    try:
        return parse(str(text))
    except ValueError as exc:
        raise FieldError(path, str(exc), text) from None


def enum_value(path: str, enum: Callable[[str], T], value: Any, allowed: str) -> T:
    try:
        return enum(str(value))
    except ValueError:
        raise FieldError(path, f"{value!r} is not one of: {allowed}", value) from None


def build(model: Callable[..., T], path_of: dict[str, str], prefix: str, **values: Any) -> T:
    """Construct a record; a validation error is reported at the matching FHIR path."""
    try:
        return model(**values)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        loc = str(first["loc"][0]) if first["loc"] else ""
        where = f"{prefix}.{path_of[loc]}" if loc in path_of else prefix
        given = first.get("input")
        value = given if isinstance(given, str | int | float) else None
        raise FieldError(where, first["msg"], value) from None


def quantity(q: Json, path: str) -> tuple[float | None, str | None]:
    """(value, unit) of a Quantity: the UCUM code when given, else its unit text."""
    if q.get("comparator"):
        raise FieldError(
            f"{path}.comparator",
            f"comparator {q['comparator']!r} cannot be kept here (an exact amount is needed)",
            q["comparator"],
        )
    unit = q.get("code") if q.get("system") == CodeSystem.UCUM.value else None
    value = q.get("value")
    return (float(value) if value is not None else None), unit or q.get("unit")


def allowed(enum: Any) -> str:
    """The values of an enum, for messages."""
    return ", ".join(member.value for member in enum)


def dated(path: str, parse: Callable[[str], T], text: Any, notes: list[str]) -> T:
    """`parsed(...)` for a FHIR date or dateTime; a partial date adds its note to `notes`."""
    value = parsed(path, parse, text)
    if is_partial(str(text)):
        notes.append(partial_date_note(path, str(text)))
    return value
