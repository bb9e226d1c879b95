"""`medlm ingest`: read a FHIR bundle or a mapped CSV and report what was accepted."""

from __future__ import annotations

import typer


def ingest() -> None:
    """Read a FHIR bundle or CSV into records (not yet implemented)."""
    raise typer.Exit(2)
