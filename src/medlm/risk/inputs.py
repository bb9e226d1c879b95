"""Patients for prediction, read only through the records boundary (`medlm.records.read`).

Whatever the source (FHIR Bundle, medlm PatientRecord JSON, CSV with a column map), what cannot
be read is a rejection in the report and the rest goes on; prediction is refused only when not
one patient could be read, and the error says what was wrong.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from medlm.errors import InputError
from medlm.records.read import read_document, read_path
from medlm.records.report import IngestReport

#: How many rejections an "unreadable" error quotes.
_QUOTED = 3


def read_patients(path: Path, *, as_of: datetime | None = None) -> IngestReport:
    """The patients of a file; InputError when it holds no readable patient."""
    return require_patients(read_path(path, as_of=as_of), path.name)


def patients_from_document(
    document: Any, *, source: str = "input", as_of: datetime | None = None
) -> IngestReport:
    """The patients of parsed JSON (Bundle or PatientRecord JSON); InputError when none."""
    return require_patients(read_document(document, source=source, as_of=as_of), source)


def require_patients(report: IngestReport, source: str) -> IngestReport:
    """The report itself when it holds a patient; else an InputError quoting its rejections."""
    if report.records:
        return report
    lines = [r.line() for r in report.rejections[:_QUOTED]]
    more = len(report.rejections) - len(lines)
    detail = "; ".join(lines) + (f"; and {more} more" if more > 0 else "")
    raise InputError(f"{source}: no readable patient" + (f": {detail}" if detail else ""))
