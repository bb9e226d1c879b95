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
from medlm.records.json_shape import check_document, surrogate_path
from medlm.records.report import IngestReport, Rejection


def _printable(value: object) -> str:
    """`value` as text that can be written as UTF-8: a lone surrogate becomes `\\ud800`."""
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")


def _line_rejection(document: object, number: int, name: str, reason: str) -> Rejection:
    """A line that parsed but cannot be read: its type and id (escaped), the path of a string
    that is not valid Unicode as its field, and why."""
    kind = rid = None
    bad_string = surrogate_path(document)
    if isinstance(document, dict):
        if isinstance(document.get("resourceType"), str):
            kind = _printable(document["resourceType"])
        if isinstance(document.get("id"), str | int):
            rid = _printable(document["id"])
    return Rejection(
        position=number,
        resource_type=kind,
        resource_id=rid,
        field=None if bad_string is None else _printable(bad_string),
        reason=f"{name}: {reason}",
    )


def _parse(line: str, number: int, name: str) -> Item | Rejection:
    """One line as an Item, or a Rejection when it is not JSON, nests deeper than the records
    boundary allows or holds a string that is not valid Unicode (a lone surrogate)."""
    try:
        document = json.loads(line)
    except json.JSONDecodeError as exc:
        return Rejection(position=number, reason=f"{name}: not valid JSON ({exc.msg})")
    except RecursionError:
        return Rejection(position=number, reason=f"{name}: not valid JSON (nested too deeply)")
    try:
        check_document(document, f"line {number}")
    except InputError as exc:
        return _line_rejection(document, number, name, str(exc))
    return Item(number, document, where=name)


def _lines(path: Path, report: IngestReport) -> list[Item]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parsed = _parse(line, number, path.name)
        if isinstance(parsed, Item):
            items.append(parsed)
        else:
            if parsed.resource_type is not None:
                report.count(parsed.resource_type).rejected += 1
            report.rejections.append(parsed)
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

    Each non-blank line is one resource; a line that is not JSON, nests deeper than
    `medlm.records.json_shape.MAX_DEPTH` or holds a lone surrogate is a rejection naming its
    file and line (its type and id escaped, `\\ud800`), and the other lines are still read.
    Resources are read as in a Bundle (see `medlm.records.fhir.read`): a reference to a patient
    in none of the files is a rejection.
    """
    report = IngestReport(source=str(path))
    items = [item for file in ndjson_files(path) for item in _lines(file, report)]
    if not items and not report.rejections:
        raise InputError(f"{path} holds no FHIR resources")
    return read_items(items, report)
