"""`medlm ingest`: read a FHIR bundle, resource, NDJSON export or mapped CSV and report it."""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from medlm.cli.options import AsOfOpt, as_of_time
from medlm.cli.render import print_json, print_table, progress, stdout
from medlm.errors import InputError
from medlm.records.csv_map import ColumnMap
from medlm.records.ingest import ingest_file
from medlm.records.report import IngestReport

STDIN = "-"
MAX_STDIN_BYTES = 1_000_000_000


def _render(report: IngestReport) -> None:
    rows = [
        [kind, count.accepted, count.rejected, count.held_back]
        for kind, count in sorted(report.counts.items())
    ]
    print_table(f"ingest of {report.source}", ["type", "accepted", "rejected", "held back"], rows)
    console = stdout()
    console.print(f"patients read: {report.patients}; rejections: {report.rejection_count}")
    if (skipped := report.skipped_line()) is not None:
        console.print(skipped, highlight=False, markup=False)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    for rejection in report.rejections:
        console.print(f"rejected {rejection.line()}", highlight=False, markup=False)
        for held in rejection.held_back:
            console.print(
                f"    held back #{held.position} {held.resource_type} {held.resource_id!r}",
                highlight=False,
                markup=False,
            )


def ingest(
    file: Annotated[
        Path,
        typer.Argument(
            help="A FHIR R4 Bundle or resource (.json), FHIR NDJSON (a .ndjson file or a "
            "folder of them), or a CSV file; '-' reads any of them from standard input."
        ),
    ],
    column_map: Annotated[
        Path | None,
        typer.Option("--map", help="Column map (YAML/JSON) for CSV input."),
    ] = None,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Read patient records and report every record, rejection, skipped type and note.

    Exit code 0 when everything was accepted, 1 when some items were rejected (the accepted
    ones are still reported), 2 when the file could not be read at all.
    """
    when = as_of_time(as_of)
    from_stdin = str(file) == STDIN
    with progress(f"reading {'standard input' if from_stdin else file.name}", total=1) as advance:
        if from_stdin:
            report = ingest_stream(sys.stdin.buffer, column_map, as_of=when)
        else:
            report = ingest_file(file, column_map, as_of=when)
        advance()
    if as_json:
        print_json(report.summary())
    else:
        _render(report)
    if report.rejections:
        raise typer.Exit(1)


def ingest_stream(
    stream: BinaryIO, column_map: ColumnMap | Path | None = None, *, as_of: datetime | None = None
) -> IngestReport:
    """Ingest what a stream holds: FHIR JSON, FHIR NDJSON, or CSV (with its column map)."""
    raw = stream.read(MAX_STDIN_BYTES + 1)
    if len(raw) > MAX_STDIN_BYTES:
        raise InputError(f"standard input is larger than {MAX_STDIN_BYTES:,} bytes; use a file")
    if not raw.strip():
        raise InputError("standard input is empty: pipe a FHIR bundle, NDJSON or CSV into it")
    with tempfile.TemporaryDirectory(prefix="medlm-ingest-") as folder:
        path = Path(folder) / f"stdin{_suffix(raw, column_map is not None)}"
        path.write_bytes(raw)
        try:
            report = ingest_file(path, column_map, as_of=as_of)
        except InputError as exc:  # name what the user gave, not the temporary file
            raise InputError(str(exc).replace(str(path), "standard input")) from exc
    return report.model_copy(update={"source": "standard input"})


def _suffix(raw: bytes, has_map: bool) -> str:
    """'.csv' with a column map; '.json' for one JSON document; '.ndjson' for JSON lines."""
    if has_map:
        return ".csv"
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith((b"{", b"[")):
        return ".csv"
    try:
        json.loads(raw)
    except ValueError:
        return ".ndjson" if head.startswith(b"{") and b"\n" in head.strip() else ".json"
    return ".json"
