"""Ingest one file or folder: tell FHIR JSON, NDJSON and CSV apart, then read it through
`medlm.records.read.read_path` (the one way in)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path

from medlm.errors import InputError
from medlm.records.csv_map import ColumnMap
from medlm.records.read import read_path
from medlm.records.report import IngestReport


class FileKind(StrEnum):
    FHIR = "fhir"
    NDJSON = "ndjson"
    CSV = "csv"


def detect_kind(path: Path) -> FileKind:
    """NDJSON for a folder or .ndjson, FHIR for .json, CSV for .csv; otherwise by the first
    character ('{' means JSON)."""
    suffix = path.suffix.lower()
    if path.is_dir() or suffix == ".ndjson":
        return FileKind.NDJSON
    if suffix == ".json":
        return FileKind.FHIR
    if suffix == ".csv":
        return FileKind.CSV
    try:
        with path.open("rb") as handle:
            head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    if not head:
        raise InputError(f"{path} is empty")
    return FileKind.FHIR if head.startswith(b"{") else FileKind.CSV


def ingest_file(
    path: Path, column_map: ColumnMap | Path | None = None, *, as_of: datetime | None = None
) -> IngestReport:
    """Read FHIR R4 JSON (a Bundle or one resource), FHIR NDJSON, or a CSV with its column
    map into a normalized IngestReport.

    Raises InputError when the file cannot be read at all (missing, malformed, an empty
    Bundle) or when a CSV comes without a column map.
    """
    if not path.exists():
        raise InputError(f"input file {path} does not exist")
    if detect_kind(path) is FileKind.CSV and column_map is None:
        raise InputError(
            f"{path} looks like CSV, which needs a column map (a YAML/JSON file, "
            "see medlm.records.csv_map)"
        )
    return read_path(path, column_map=column_map, as_of=as_of)
