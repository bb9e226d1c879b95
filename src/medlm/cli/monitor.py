"""`medlm monitor`: score vital-sign sets and replay streams through the alert policy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from medlm.cli.glucose import glucose
from medlm.cli.render import print_disclaimer, print_json, print_json_line, print_table
from medlm.errors import InputError
from medlm.records import IngestReport

app = typer.Typer(
    help="Vital-sign scoring (NEWS2), glucose monitoring, streams and alerts.", no_args_is_help=True
)
app.command(name="glucose")(glucose)


def _read_text(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    path = Path(file)
    if not path.is_file():
        raise InputError(f"input file {file!r} does not exist")
    return path.read_text(encoding="utf-8")


def _open_lines(file: str) -> list[str]:
    return _read_text(file).splitlines()


@app.command()
def score(
    file: Annotated[
        str,
        typer.Argument(
            help="JSON-lines file of vital-sign sets, a FHIR Bundle or Observation (JSON), "
            "or - for stdin."
        ),
    ] = "-",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per set.")] = False,
    as_fhir: Annotated[
        bool,
        typer.Option(
            "--fhir",
            help="A FHIR R4 Bundle: NEWS2 Observations and a DetectedIssue per alert.",
        ),
    ] = False,
) -> None:
    """Score each vital-sign set with NEWS2 (RCP 2017); bad lines are reported, the rest go on.

    Exits 1 when no set could be scored."""
    from medlm.monitor.batch import score_lines, score_records
    from medlm.records.vital_lines import read_vital_text

    text = _read_text(file)
    report, is_lines = read_vital_text(text, source=file)
    if as_fhir:
        _print_fhir(report)
        return
    if is_lines:
        outputs = list(score_lines(text.splitlines()))
    else:
        results, rejections = score_records(report)
        outputs = [out for _, _, out in results]
        outputs += [{"line": r.position, "error": r.line()} for r in rejections]
    _render_scores(outputs, as_json)
    if not any("news2" in out for out in outputs):
        raise typer.Exit(1)


def _print_fhir(report: IngestReport) -> None:
    from medlm.monitor.fhir_bundle import monitoring_bundle
    from medlm.monitor.observations import vital_sets

    sets, unusable = vital_sets(report.records)
    result = monitoring_bundle(sets)
    for rejection in [*report.rejections, *unusable, *result.rejected]:
        typer.echo(rejection.line(), err=True)
    for note in result.notes:
        typer.echo(note, err=True)
    print_json(result.bundle)
    if not sets:
        raise typer.Exit(1)


def _render_scores(outputs: list[dict[str, Any]], as_json: bool) -> None:
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
