"""`medlm monitor`: score vital-sign sets and replay streams through the alert policy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from medlm.cli.render import print_disclaimer, print_json, print_json_line, print_table
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


@app.command()
def replay(
    file: Annotated[str | None, typer.Argument(help="JSON-lines file of vital-sign sets.")] = None,
    dataset: Annotated[
        str | None, typer.Option(help="A packaged dataset to replay: cdisc-vitals.")
    ] = None,
    scenarios: Annotated[
        bool, typer.Option("--scenarios", help="Add labelled SYNTHETIC deterioration scenarios.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable report.")] = False,
) -> None:
    """Replay vital signs through medlm's alert policy and a naive one, side by side."""
    from medlm.monitor.replay import load_replay_input, replay_report

    sets, onsets, sources, errors = load_replay_input(
        _open_lines(file) if file else None, dataset, scenarios
    )
    report = replay_report(sets, onsets)
    if as_json:
        print_json({"sources": sources, "input_errors": errors, **report})
        return
    for line in [*sources, *errors[:10]]:
        typer.echo(line, err=True)
    columns = ["policy", "paging alerts", "per patient-day", "detected", "median delay h",
               "before onset", "on stable"]  # fmt: skip
    rows = [
        [r["policy"], r["paging_alerts"], r["alerts_per_patient_day"], _of(r),
         r["median_delay_h"], r["alerts_before_onset"], r["alerts_on_stable"]]
        for r in report["reports"]
    ]  # fmt: skip
    title = f"Replay of {report['sets']} sets, {report['rejected']} values quarantined"
    print_table(title, columns, rows)
    if scenarios:
        typer.echo("Detection figures are on SYNTHETIC scenarios, not clinical data.")
    print_disclaimer()


def _of(report: dict[str, Any]) -> str:
    if report["detected"] is None:
        return ""
    return f"{report['detected']}/{report['deteriorating']}"
