"""`medlm demo`: the main job on the packaged real data, end to end."""

from __future__ import annotations

import typer


def demo() -> None:
    """Run the demo (not yet implemented)."""
    raise typer.Exit(0)
