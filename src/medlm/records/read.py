"""The one way in: any patient source (file or parsed document) to an IngestReport of records.

Sources: a FHIR R4 Bundle, a single FHIR resource, FHIR Bulk Data NDJSON (a file or a folder),
a CDS Hooks request, medlm PatientRecord JSON (one or a list), and CSV with a column map. Every
reader ends in `normalize_report(report, as_of=as_of)`. Applications (risk, monitor,
treatment, text) and the service call these functions and never parse input themselves.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pydantic

from medlm.errors import InputError
from medlm.records.csv_map import ColumnMap, load_column_map, parse_column_map, read_csv
from medlm.records.fhir import read_bundle, read_resource
from medlm.records.fhir.cds import read_cds_resources
from medlm.records.fhir.ndjson import read_ndjson
from medlm.records.json_shape import check_document
from medlm.records.normalize import normalize_report
from medlm.records.patient_record import PatientRecord
from medlm.records.report import IngestReport, Rejection


def _medlm_records(document: Any, source: str | None) -> IngestReport:
    items = document if isinstance(document, list) else [document]
    if not items:
        raise InputError(f"{source or 'input'}: no patients found")
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
    return report


def read_document(
    document: Any, *, source: str | None = None, as_of: datetime | None = None
) -> IngestReport:
    """Records from parsed JSON: a FHIR Bundle, a single FHIR resource (see
    `medlm.records.fhir.read_resource`), or medlm PatientRecord JSON (one or a list).

    Raises InputError for a document none of these readers can take (an empty Bundle, ...),
    one nested deeper than `json_shape.MAX_DEPTH`, and for text that is not valid Unicode (a
    lone surrogate), naming its path.
    """
    check_document(document, source or "input")
    kind = document.get("resourceType") if isinstance(document, dict) else None
    if kind == "Bundle":
        report = read_bundle(document)
        report.source = source
    elif isinstance(kind, str):
        report = read_resource(document, source=source)
    else:
        report = _medlm_records(document, source)
    return normalize_report(report, as_of=as_of)


def read_cds_request(request: dict[str, Any], *, as_of: datetime | None = None) -> IngestReport:
    """Records from a CDS Hooks request: its `prefetch` values and `context.draftOrders`
    (see `medlm.records.fhir.cds`); `context.patientId` names the patient.

    Raises InputError for a request that is not a JSON object, nests too deeply or holds text
    that is not valid Unicode (a lone surrogate), naming its path."""
    check_document(request, "CDS Hooks request")
    return normalize_report(read_cds_resources(request), as_of=as_of)


def read_csv_text(
    csv_text: str,
    column_map_text: str | ColumnMap,
    source: str,
    *,
    map_name: str | None = None,
    as_of: datetime | None = None,
) -> IngestReport:
    """Records from CSV text (an upload, say) read with a column map, normalized exactly as
    `read_path` normalizes a CSV file; the report's source is `source`.

    The map is YAML/JSON text (see `medlm.records.csv_map.parse_column_map`; its errors name
    `map_name`, by default the column map of `source`) or a map already parsed. Raises
    InputError for unreadable CSV, naming `source`."""
    column_map = (
        column_map_text
        if isinstance(column_map_text, ColumnMap)
        else parse_column_map(column_map_text, map_name or f"column map of {source}")
    )
    return normalize_report(read_csv(csv_text, column_map, name=source), as_of=as_of)


def read_path(
    path: Path, *, column_map: ColumnMap | Path | None = None, as_of: datetime | None = None
) -> IngestReport:
    """Records from a file or folder: FHIR or medlm JSON (.json), FHIR NDJSON (a .ndjson file
    or a folder of them), or CSV with a column map."""
    if path.is_dir() or path.suffix.lower() == ".ndjson":
        return normalize_report(read_ndjson(path), as_of=as_of)
    if not path.is_file():
        raise InputError(f"input file {path} does not exist")
    if path.suffix.lower() == ".csv" or column_map is not None:
        if column_map is None:
            raise InputError(
                f"{path} looks like CSV, which needs a column map (a YAML/JSON file, "
                "see medlm.records.csv_map)"
            )
        if isinstance(column_map, Path):
            column_map = load_column_map(column_map)
        return normalize_report(read_csv(path, column_map), as_of=as_of)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise InputError(f"{path} is not readable JSON: it is nested too deeply") from exc
    return read_document(document, source=str(path), as_of=as_of)
