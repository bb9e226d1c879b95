"""FHIR Bulk Data NDJSON (one resource per line) into PatientRecords.

A bulk export is a folder of `<Type>.ndjson` files (or one file); all files are one document, so
references may cross files (an Observation in Observation.ndjson names a Patient in
Patient.ndjson). Rejections give the 1-based line and start with the file name.
"""

from __future__ import annotations

import json
from pathlib import Path

from medlm.errors import InputError
from medlm.records.fhir.read import Item, read_items
from medlm.records.report import IngestReport, Rejection


def _lines(path: Path, report: IngestReport) -> list[Item]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(Item(number, json.loads(line), where=path.name))
        except json.JSONDecodeError as exc:
            report.rejections.append(
                Rejection(position=number, reason=f"{path.name}: not valid JSON ({exc.msg})")
            )
    return items


def ndjson_files(path: Path) -> list[Path]:
    """The NDJSON files of a bulk export: the file itself, or a folder's `*.ndjson` files."""
    if path.is_dir():
        files = sorted(path.glob("*.ndjson"))
        if not files:
            raise InputError(f"folder {path} holds no *.ndjson files")
        return files
    if not path.is_file():
        raise InputError(f"input file {path} does not exist")
    return [path]


def read_ndjson(path: Path) -> IngestReport:
    """Read a FHIR NDJSON file, or a folder of them, into one IngestReport.

    Each non-blank line is one resource; a line that is not JSON is a rejection naming its file
    and line. Resources are read as in a Bundle (see `medlm.records.fhir.read`): a reference to
    a patient in none of the files is a rejection.
    """
    report = IngestReport(source=str(path))
    items = [item for file in ndjson_files(path) for item in _lines(file, report)]
    if not items and not report.rejections:
        raise InputError(f"{path} holds no FHIR resources")
    return read_items(items, report)
