"""The CLI's one renderer: JSON for machines, rich tables and progress for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from medlm import DISCLAIMER


def stdout() -> Console:
    return Console(soft_wrap=True)


def stderr() -> Console:
    return Console(stderr=True, soft_wrap=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def print_json(value: Any, *, indent: int | None = 2) -> None:
    """Write a JSON document to stdout (pydantic models are dumped in JSON mode)."""
    sys.stdout.write(json.dumps(_jsonable(value), indent=indent, default=str) + "\n")
    sys.stdout.flush()


def print_json_line(value: Any) -> None:
    """Write one compact JSON line to stdout (for JSON-lines streams)."""
    print_json(value, indent=None)


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    stdout().print(table)


def print_disclaimer() -> None:
    stderr().print(f"[dim]{DISCLAIMER}[/dim]")


def error_line(message: str) -> None:
    """One clean error line on stderr."""
    stderr().print(f"[bold red]error:[/bold red] {message}", highlight=False)


def warning_line(message: str) -> None:
    """One warning line on stderr."""
    stderr().print(f"[bold yellow]warning:[/bold yellow] {message}", highlight=False)


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Any]:
    """A rich progress bar on stderr; yields a callable `advance(n=1)`."""
    bar = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr(),
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1) -> None:
            bar.advance(task, n)

        yield advance
