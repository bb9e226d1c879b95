"""`medlm monitor`: score vital-sign sets and replay streams through the alert policy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from medlm.cli.glucose import glucose
from medlm.cli.render import (
    error_line,
    print_disclaimer,
    print_json,
    print_json_line,
    print_table,
    warning_line,
)
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

    A value that was refused (an implausible heart rate of 900, say) is shown as rejected, with
    its reason, not as missing. Exits 1 with a summary on stderr when no set could be scored;
    when only some could not, exits 0 with a warning that counts them."""
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
    _summarize(outputs, "lines" if is_lines else "items")


def _summarize(outputs: list[dict[str, Any]], what: str) -> None:
    """One summary line on stderr: an error and exit 1 when no set was scored, else a warning
    counting what could not be scored and the values refused beside scored sets."""
    failed = sum("news2" not in out for out in outputs)
    if not outputs:
        error_line("no vital-sign set in the input")
        raise typer.Exit(1)
    if failed == len(outputs):
        error_line(f"none of the {failed:,} input {what} could be scored (see their errors)")
        raise typer.Exit(1)
    refused = sum(len(out.get("rejected", [])) for out in outputs)
    if failed:
        warning_line(f"{failed:,} of {len(outputs):,} input {what} could not be scored")
    if refused:
        warning_line(f"{refused:,} value(s) rejected; the sets were scored without them")


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
        error_line("no vital-sign set could be scored (see the rejections above)")
        raise typer.Exit(1)


def _render_scores(outputs: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        for out in outputs:
            print_json_line(out)
        return
    if not outputs:
        return
    rows = []
    for out in outputs:
        if "error" in out:
            where = "input" if out["line"] is None else f"line {out['line']}"
            rows.append([where, "", "error", out["error"]])
            continue
        n, rejected = out["news2"], out.get("rejected", [])
        response = [n["response"]] if n["response"] else []
        response += [f"rejected: {r['reason']}" for r in rejected]
        rows.append([out["patient_id"], out["time"], _total(n, rejected), "; ".join(response)])
    print_table("NEWS2", ["patient", "time", "total", "response"], rows)
    print_disclaimer()


# A rejected value's field (a JSON-lines key, a concept or a VitalSigns field) -> the NEWS2
# parameter it would have scored, so the table says "pulse 900 /min rejected", not "missing".
_PARAMETER_OF_FIELD = {
    "heart_rate": "pulse",
    "respiratory_rate": "respiration_rate",
    "temperature_c": "temperature",
    "temperature_f": "temperature",
    "body_temperature": "temperature",
    "on_oxygen": "air_or_oxygen",
    "supplemental_oxygen": "air_or_oxygen",
    "spo2_scale": "spo2",
    "news2_spo2_scale": "spo2",
}


def _total(news2: dict[str, Any], rejected: list[dict[str, Any]]) -> str:
    """The total, or '>=partial (...)' naming each parameter as rejected (with its value) or
    missing."""
    if news2["total"] is not None:
        return str(news2["total"])
    refused: dict[str, dict[str, Any]] = {}
    for rejection in rejected:
        field = rejection.get("field") or ""
        refused.setdefault(_PARAMETER_OF_FIELD.get(field, field), rejection)
    parts: list[str] = []
    missing: list[str] = []
    for name in news2["missing"]:
        refusal = refused.get(name)
        if refusal is None:
            missing.append(name)
        else:
            value = f" {refusal['value']}" if refusal.get("value") else ""
            parts.append(f"{name}{value} rejected")
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    return f">={news2['partial_total']} ({'; '.join(parts)})"


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
