"""Read patients for prediction: PatientRecord JSON (one or a list) or a FHIR R4 Bundle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from medlm.errors import InputError, ValidationError
from medlm.records import PatientRecord


def records_from_bundle(bundle: dict[str, Any]) -> tuple[list[PatientRecord], list[str]]:
    """The patients in a FHIR Bundle and one line per rejected resource (the rest go on)."""
    from medlm.records.fhir import read_bundle

    report = read_bundle(bundle)
    rejected = [r.line() for r in report.rejections]
    if not report.records:
        detail = f": {rejected[0]}" if rejected else ""
        raise InputError(f"the FHIR Bundle holds no readable patient{detail}")
    return list(report.records), rejected


def parse_patients(document: Any, source: str = "input") -> tuple[list[PatientRecord], list[str]]:
    """PatientRecords from parsed JSON (a Bundle, one record, or a list), and rejections."""
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
    return records, []


def read_patients(path: Path) -> tuple[list[PatientRecord], list[str]]:
    """Patients from a JSON file (PatientRecord, list of them, or FHIR Bundle), and rejections."""
    if not path.is_file():
        raise InputError(f"input file {path} does not exist")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from exc
    return parse_patients(document, source=path.name)
