"""`medlm monitor glucose`: consensus CGM metrics and glucose alerts from JSON lines."""

from __future__ import annotations

from typing import Annotated

import typer


def glucose(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON report.")] = False,
) -> None:
    """Glucose readings (JSON lines on stdin) scored: time in range, GMI, CV and alerts."""
    raise typer.Exit(code=2)
