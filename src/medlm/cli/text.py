"""`medlm text`: command group (commands are added by the module that owns them)."""

from __future__ import annotations

import typer

app = typer.Typer(help="text commands.", no_args_is_help=True)
