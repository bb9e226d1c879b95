"""`medlm ingest`: read a FHIR bundle, resource, NDJSON export or mapped CSV and report it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from medlm.cli.options import AsOfOpt, as_of_time
from medlm.cli.render import print_json, print_table, progress, stdout
from medlm.records.ingest import ingest_file
from medlm.records.report import IngestReport


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
            "folder of them), or a CSV file."
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
    with progress(f"reading {file.name}", total=1) as advance:
        report = ingest_file(file, column_map, as_of=when)
        advance()
    if as_json:
        print_json(report.summary())
    else:
        _render(report)
    if report.rejections:
        raise typer.Exit(1)
