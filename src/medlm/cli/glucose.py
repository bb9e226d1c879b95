"""`medlm monitor glucose`: consensus CGM metrics and glucose alerts from JSON lines."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from medlm.monitor.glucose.config import GlucoseSettings

METRIC_KEYS = (
    "time_in_range",
    "time_below_70",
    "time_below_54",
    "time_above_180",
    "time_above_250",
    "mean_mg_dl",
    "gmi",
    "cv",
    "readings",
    "sufficiency",
)


def glucose(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON report.")] = False,
) -> None:
    """Glucose readings (JSON lines on stdin) scored: time in range, GMI, CV and alerts.

    Each line: {"patient_id", "time", "glucose", "unit": "mg/dL" or "mmol/L", "source"?}.
    Percentages are 0-100 of the valid readings (Battelino 2019). With one patient "metrics" is
    its metrics; with several, "metrics" is null and "patients" maps each id to its metrics.
    Bad lines are reported under "rejected" and the rest go on; exits 1 when no line is valid."""
    from medlm.cli.render import error_line
    from medlm.monitor.glucose.report import glucose_report
    from medlm.records.glucose_lines import read_glucose_lines

    lines = sys.stdin.read().splitlines()
    ingest = read_glucose_lines(lines, source="stdin")
    report = glucose_report(ingest.readings, _settings())
    rejected = [*ingest.report.rejections, *report.rejected]
    patients = {pid: _metrics(m) for pid, m in report.patients.items()}
    output: dict[str, Any] = {
        "metrics": next(iter(patients.values())) if len(patients) == 1 else None,
        "alerts": [a.model_dump(mode="json") for a in report.alerts],
        "rejected": [{**r.model_dump(mode="json"), "message": r.line()} for r in rejected],
    }
    if len(patients) > 1:
        output["patients"] = patients
    if as_json:
        from medlm.cli.render import print_json

        print_json(output)
    else:
        _render_table(patients, output)
    if not ingest.readings:
        error_line(
            "no valid glucose reading on stdin" + (" (every line rejected)" if lines else "")
        )
        raise typer.Exit(1)


def _settings() -> GlucoseSettings:
    """The glucose section of medlm's settings (defaults where the section is not configured)."""
    from medlm.monitor.glucose.config import GlucoseSettings
    from medlm.settings import load_settings

    section = getattr(load_settings().monitor, "glucose", None)
    return section if isinstance(section, GlucoseSettings) else GlucoseSettings()


def _metrics(metrics: Any) -> dict[str, Any]:
    dumped = metrics.model_dump(mode="json")
    return {key: dumped[key] for key in METRIC_KEYS}


def _fmt(value: Any) -> str:
    return "" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)


def _render_table(patients: dict[str, dict[str, Any]], output: dict[str, Any]) -> None:
    from medlm.cli.render import print_disclaimer, print_table, stderr

    rows = [[key, *(_fmt(m[key]) for m in patients.values())] for key in METRIC_KEYS]
    print_table("Glucose metrics (Battelino 2019; % of readings)", ["metric", *patients], rows)
    alert_rows = [
        [a["patient_id"], a["time"], a["kind"], "yes" if a["notify"] else "no", a["reason"]]
        for a in output["alerts"]
    ]
    print_table("Glucose alerts", ["patient", "time", "kind", "page", "reason"], alert_rows)
    for rejection in output["rejected"]:
        stderr().print(rejection["message"], highlight=False, markup=False)
    print_disclaimer()
