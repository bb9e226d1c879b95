"""Ingest one file: tell a FHIR bundle from a CSV and dispatch to the matching reader."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from medlm.errors import InputError
from medlm.records.csv_map import ColumnMap, load_column_map, read_csv
from medlm.records.fhir import IngestReport, read_bundle


class FileKind(StrEnum):
    FHIR = "fhir"
    CSV = "csv"


def detect_kind(path: Path) -> FileKind:
    """FHIR for .json, CSV for .csv; otherwise by the first character ('{' means JSON)."""
    suffix = path.suffix.lower()
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


def ingest_file(path: Path, column_map: ColumnMap | Path | None = None) -> IngestReport:
    """Read a FHIR R4 Bundle (JSON) or a CSV with its column map into an IngestReport.

    Raises InputError when the file cannot be read at all (missing, malformed, not a Bundle,
    empty) or when a CSV comes without a column map.
    """
    if not path.is_file():
        raise InputError(f"input file {path} does not exist")
    kind = detect_kind(path)
    if kind is FileKind.FHIR:
        return read_bundle(path)
    if column_map is None:
        raise InputError(
            f"{path} looks like CSV, which needs a column map (a YAML/JSON file, "
            "see medlm.records.csv_map)"
        )
    if isinstance(column_map, Path):
        column_map = load_column_map(column_map)
    return read_csv(path, column_map)
