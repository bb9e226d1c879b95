"""Files uploaded from the browser's import form, read into an IngestReport by the records
boundary: a FHIR document (JSON) through `read_document`, or CSV text with a YAML/JSON column
map (`parse_column_map`) through `read_csv_text`, normalized as `read_path` normalizes a CSV file.

Every problem is an InputError naming the uploaded file and, for a column map, the field.
"""

from __future__ import annotations

import json
from typing import Any

from medlm.errors import InputError
from medlm.records import csv_map
from medlm.records.csv_map import ColumnMap
from medlm.records.read import read_csv_text, read_document
from medlm.records.report import IngestReport


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"uploaded file {name!r} is not UTF-8 text: {exc.reason}") from exc


def document_items(document: Any) -> int:
    """How many items a document carries: a Bundle's entries, a list's elements, else one."""
    if isinstance(document, dict) and isinstance(document.get("entry"), list):
        return len(document["entry"])
    return len(document) if isinstance(document, list) else 1


def parse_json_upload(data: bytes, name: str) -> Any:
    """The parsed JSON of an uploaded file."""
    try:
        return json.loads(_text(data, name))
    except json.JSONDecodeError as exc:
        raise InputError(f"uploaded file {name!r} is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise InputError(f"uploaded file {name!r} is nested too deeply") from exc


def read_fhir_upload(document: Any, name: str) -> IngestReport:
    """Records of a parsed FHIR Bundle, FHIR resource or medlm PatientRecord JSON."""
    return read_document(document, source=name)


def parse_column_map(data: bytes, name: str) -> ColumnMap:
    """A column map from uploaded YAML or JSON text; errors name the file and the field."""
    return csv_map.parse_column_map(_text(data, name), name)


def read_csv_upload(data: bytes, name: str, column_map: ColumnMap) -> IngestReport:
    """Records of uploaded CSV text read with `column_map`, normalized."""
    return read_csv_text(_text(data, name), column_map, name)


def csv_rows(data: bytes) -> int:
    """The number of lines after the header (an upper bound on the CSV's rows)."""
    return max(0, data.count(b"\n") - 1 + (0 if data.endswith(b"\n") else 1))
