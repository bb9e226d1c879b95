"""Treatment input: one patient from a FHIR R4 Bundle or from medlm's PatientRecord JSON."""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path
from typing import Any

import pydantic

from medlm.errors import InputError, ValidationError
from medlm.records import PatientRecord


def record_from_bundle(bundle: dict[str, Any]) -> PatientRecord:
    """The one patient in a FHIR Bundle, read by `medlm.records.fhir.read_bundle`."""
    try:
        reader = import_module("medlm.records.fhir").read_bundle
    except (ImportError, AttributeError) as exc:
        raise InputError(
            "FHIR Bundle input needs medlm.records.fhir.read_bundle, which this installation "
            "lacks; give medlm PatientRecord JSON instead"
        ) from exc
    result = reader(bundle)
    records = list(getattr(result, "records", result))
    rejections = list(getattr(result, "rejections", []))
    if rejections:
        # a dropped medication or allergy would make the safety checks silently incomplete
        lines = "; ".join(r.line() for r in rejections[:3])
        more = f" (and {len(rejections) - 3} more)" if len(rejections) > 3 else ""
        raise InputError(
            f"the FHIR Bundle has {len(rejections)} resource(s) medlm could not read, so the "
            f"treatment checks would be incomplete: {lines}{more}"
        )
    if len(records) != 1:
        raise InputError(f"the FHIR Bundle holds {len(records)} patients; give exactly one")
    record = records[0]
    if not isinstance(record, PatientRecord):
        raise InputError(f"read_bundle returned {type(record).__name__}, not a PatientRecord")
    return record


def record_from_json(data: Any, where: str = "input") -> PatientRecord:
    """A PatientRecord from parsed JSON: a FHIR Bundle or medlm's own PatientRecord shape."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(data).__name__}")
    if data.get("resourceType") == "Bundle":
        return record_from_bundle(data)
    try:
        return PatientRecord.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ValidationError(
            f"{where}: field {field!r}: {first['msg']} (value {first.get('input')!r:.80})",
            record=where,
            field=field,
        ) from exc


def read_patient_file(path: Path) -> PatientRecord:
    """Read one patient from a JSON file (FHIR Bundle or PatientRecord)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"patient file {path} does not exist") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"patient file {path} is not valid JSON: {exc}") from exc
    return record_from_json(data, where=str(path))
