"""`medlm monitor`: score vital-sign sets and replay streams through the alert policy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from medlm.cli.render import print_disclaimer, print_json_line, print_table
from medlm.errors import InputError

app = typer.Typer(help="Vital-sign scoring (NEWS2), streams and alerts.", no_args_is_help=True)


def _open_lines(file: str) -> list[str]:
    if file == "-":
        return sys.stdin.read().splitlines()
    path = Path(file)
    if not path.is_file():
        raise InputError(f"input file {file!r} does not exist")
    return path.read_text(encoding="utf-8").splitlines()


@app.command()
def score(
    file: Annotated[
        str, typer.Argument(help="JSON-lines file of vital-sign sets, or - for stdin.")
    ] = "-",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per input line.")] = False,
) -> None:
    """Score each vital-sign set with NEWS2 (RCP 2017); bad lines are reported, the rest go on."""
    from medlm.monitor.batch import score_lines

    outputs = list(score_lines(_open_lines(file)))
    if as_json:
        for out in outputs:
            print_json_line(out)
        return
    rows = []
    for out in outputs:
        if "error" in out:
            rows.append([f"line {out['line']}", "", "error", out["error"]])
            continue
        n = out["news2"]
        total = (
            n["total"]
            if n["total"] is not None
            else f">={n['partial_total']} (missing {', '.join(n['missing'])})"
        )
        rows.append([out["patient_id"], out["time"], total, n["response"] or ""])
    print_table("NEWS2", ["patient", "time", "total", "response"], rows)
    print_disclaimer()
