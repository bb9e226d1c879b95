"""`medlm monitor glucose`: consensus CGM metrics and glucose alerts from JSON lines."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from medlm.errors import InputError

if TYPE_CHECKING:
    from medlm.monitor.glucose.config import GlucoseSettings
    from medlm.monitor.glucose.readings import GlucoseReading
    from medlm.monitor.glucose.report import GlucoseReport
    from medlm.records import Rejection

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
    agp: Annotated[
        Path | None,
        typer.Option(
            "--agp",
            help="Write the ambulatory glucose profile (PNG) of the one patient to this file.",
            dir_okay=False,
        ),
    ] = None,
    html_path: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Write a standalone HTML report of the one patient (profile, metrics, alerts).",
            dir_okay=False,
        ),
    ] = None,
    patient: Annotated[
        str | None,
        typer.Option(
            "--patient", help="Only this patient's lines (needed for --agp/--html with several)."
        ),
    ] = None,
    lang: Annotated[
        str,
        typer.Option("--lang", help="Language of --agp and --html: en or zh_CN."),
    ] = "en",
) -> None:
    """Glucose readings (JSON lines on stdin) scored: time in range, GMI, CV and alerts.

    Each line: {"patient_id", "time", "glucose", "unit": "mg/dL" or "mmol/L", "source"?}.
    Percentages are 0-100 of the valid readings (Battelino 2019). With one patient "metrics" is
    its metrics; with several, "metrics" is null and "patients" maps each id to its metrics.
    Bad lines are reported under "rejected" and the rest go on; exits 1 when no line is valid.

    --agp and --html draw one patient: when the input holds several, choose one with --patient
    (otherwise the command stops with an error before printing anything). --lang zh_CN writes
    them in Simplified Chinese; the PNG then needs a CJK font (e.g. fonts-wqy-microhei) and is
    refused without one, while the HTML report is still written (without the plot)."""
    from medlm.monitor.glucose.report import glucose_report
    from medlm.records.glucose_lines import read_glucose_lines

    lines = sys.stdin.read().splitlines()
    ingest = read_glucose_lines(lines, source="stdin")
    readings, rejected = ingest.readings, ingest.report.rejections
    if patient is not None:
        readings = [r for r in readings if r.patient_id == patient]
        rejected = [r for r in rejected if r.patient_id in (None, patient)]
    _check_one_patient(readings, drawing=agp is not None or html_path is not None)
    _check_language(lang, agp)
    report = glucose_report(readings, _settings())
    patients = {pid: _metrics(m) for pid, m in report.patients.items()}
    output = _output(patients, report, [*rejected, *report.rejected])
    if as_json:
        from medlm.cli.render import print_json

        print_json(output)
    else:
        _render_table(patients, output)
    if not readings:
        _no_reading(bool(lines), patient)
    if agp is not None or html_path is not None:
        _write_profile(report, len(output["rejected"]), agp, html_path, lang)


def _check_one_patient(readings: Sequence[GlucoseReading], *, drawing: bool) -> None:
    """InputError when a profile is asked of input holding several patients."""
    patients = sorted({r.patient_id for r in readings})
    if drawing and len(patients) > 1:
        raise InputError(
            f"--agp and --html draw one patient; the input holds {len(patients)}: "
            "choose one with --patient ID"
        )


def _check_language(lang: str, agp: Path | None) -> None:
    """InputError for an unknown --lang, or for a zh_CN PNG on a computer without a CJK font
    (before anything is printed)."""
    from medlm.monitor.glucose.agp import CJK_FONTS, LANGUAGES, cjk_font

    if lang not in LANGUAGES:
        raise InputError(f"--lang {lang!r} is not one of {', '.join(LANGUAGES)}")
    if agp is not None and lang != "en" and cjk_font() is None:
        raise InputError(
            f"--lang {lang} --agp needs a CJK font ({' or '.join(CJK_FONTS)}; on Debian: "
            "apt-get install fonts-wqy-microhei); --html still works without one"
        )


def _output(
    patients: dict[str, dict[str, Any]], report: GlucoseReport, rejected: list[Rejection]
) -> dict[str, Any]:
    output: dict[str, Any] = {
        "metrics": next(iter(patients.values())) if len(patients) == 1 else None,
        "alerts": [a.model_dump(mode="json") for a in report.alerts],
        "rejected": [{**r.model_dump(mode="json"), "message": r.line()} for r in rejected],
    }
    if len(patients) > 1:
        output["patients"] = patients
    return output


def _no_reading(had_lines: bool, patient: str | None) -> None:
    from medlm.cli.render import error_line

    if patient is not None:
        error_line(f"no valid glucose reading of patient {patient!r} on stdin")
    else:
        error_line(
            "no valid glucose reading on stdin" + (" (every line rejected)" if had_lines else "")
        )
    raise typer.Exit(1)


def _write_profile(
    report: GlucoseReport, rejected: int, agp: Path | None, html_path: Path | None, lang: str
) -> None:
    """Write the one patient's AGP (PNG) and/or HTML report; InputError when a file cannot be
    written."""
    from medlm import DISCLAIMER
    from medlm.cli.render import stderr
    from medlm.monitor.glucose.agp import render_png
    from medlm.monitor.glucose.report import html_report, patient_profile

    if len(report.patients) != 1:
        raise InputError("no glucose reading was accepted, so there is no profile to draw")
    (pid,) = report.patients
    profile = patient_profile(report, pid)
    try:
        if agp is not None:
            render_png(profile, agp, language=lang)
            stderr().print(f"wrote the ambulatory glucose profile to {agp}", highlight=False)
        if html_path is not None:
            page = html_report(
                profile, report.alerts, disclaimer=DISCLAIMER, rejected=rejected, language=lang
            )
            html_path.parent.mkdir(parents=True, exist_ok=True)
            html_path.write_text(page, encoding="utf-8")
            stderr().print(f"wrote the HTML report to {html_path}", highlight=False)
    except OSError as exc:
        raise InputError(f"cannot write {exc.filename or 'the report'}: {exc.strerror}") from exc


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
