"""Read patients for prediction: PatientRecord JSON (one or a list) or a FHIR R4 Bundle."""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from medlm.errors import InputError, ValidationError
from medlm.records import PatientRecord


def records_from_bundle(bundle: dict[str, Any]) -> list[PatientRecord]:
    """The patients in a FHIR Bundle, read by `medlm.records.fhir.read_bundle`."""
    try:
        reader = import_module("medlm.records.fhir").read_bundle
    except (ImportError, AttributeError) as exc:
        raise InputError(
            "FHIR Bundle input needs medlm.records.fhir.read_bundle, which this installation "
            "lacks; give PatientRecord JSON instead"
        ) from exc
    result = reader(json.dumps(bundle))
    records = result if isinstance(result, list) else [result]
    if not all(isinstance(r, PatientRecord) for r in records):
        raise InputError("the FHIR reader did not return PatientRecords")
    return records


def parse_patients(document: Any, source: str = "input") -> list[PatientRecord]:
    """PatientRecords from parsed JSON: a Bundle, one record, or a list of records."""
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        return records_from_bundle(document)
    items = document if isinstance(document, list) else [document]
    records = []
    for i, item in enumerate(items):
        try:
            records.append(PatientRecord.model_validate(item))
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValidationError(
                f"{source}: patient {i + 1}: {where}: {first['msg']}", field=where
            ) from None
    if not records:
        raise InputError(f"{source}: no patients found")
    return records


def read_patients(path: Path) -> list[PatientRecord]:
    """Patients from a JSON file (PatientRecord, list of them, or FHIR Bundle)."""
    if not path.is_file():
        raise InputError(f"input file {path} does not exist")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from exc
    return parse_patients(document, source=path.name)
