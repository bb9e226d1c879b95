"""The one way in: any patient source (file or parsed document) to an IngestReport of records.

Applications (risk, monitor, treatment, text) and the service call these functions and never
parse input themselves.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pydantic

from medlm.errors import InputError
from medlm.records.csv_map import ColumnMap, load_column_map, read_csv
from medlm.records.fhir import read_bundle
from medlm.records.normalize import normalize_report
from medlm.records.patient_record import PatientRecord
from medlm.records.report import IngestReport, Rejection


def read_document(
    document: Any, *, source: str | None = None, as_of: datetime | None = None
) -> IngestReport:
    """Records from parsed JSON: a FHIR Bundle, or medlm PatientRecord JSON (one or a list)."""
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        report = read_bundle(document)
        report.source = source
        return normalize_report(report, as_of=as_of)
    items = document if isinstance(document, list) else [document]
    report = IngestReport(source=source)
    for i, item in enumerate(items):
        try:
            report.records.append(PatientRecord.model_validate(item))
            report.count("PatientRecord").accepted += 1
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            report.count("PatientRecord").rejected += 1
            report.rejections.append(
                Rejection(
                    position=i,
                    resource_type="PatientRecord",
                    field=".".join(str(p) for p in first["loc"]),
                    value=repr(first.get("input"))[:80],
                    reason=first["msg"],
                )
            )
    if not items:
        raise InputError(f"{source or 'input'}: no patients found")
    return normalize_report(report, as_of=as_of)


def read_path(
    path: Path, *, column_map: ColumnMap | Path | None = None, as_of: datetime | None = None
) -> IngestReport:
    """Records from a file: FHIR JSON or medlm JSON (.json), or CSV with a column map."""
    if not path.is_file():
        raise InputError(f"input file {path} does not exist")
    if path.suffix.lower() == ".csv" or column_map is not None:
        if column_map is None:
            raise InputError(f"{path} looks like CSV, which needs a column map")
        if isinstance(column_map, Path):
            column_map = load_column_map(column_map)
        return normalize_report(read_csv(path, column_map), as_of=as_of)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from exc
    return read_document(document, source=str(path), as_of=as_of)
