"""`glucose_report`: a batch of glucose readings scored per patient: metrics and alerts.

`patient_profile` gives one patient's ambulatory glucose profile (`medlm.monitor.glucose.agp`)
from the same readings and metrics, and `html_report` a standalone HTML page: the profile with
its metrics table, the alerts and the disclaimer, with the plot inline and no external asset.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from medlm.errors import InputError
from medlm.knowledge.glucose import GlucoseThresholds, load_glucose_thresholds
from medlm.monitor.alerts import VitalAlert
from medlm.monitor.glucose.agp import AgpProfile, agp_profile, render_html
from medlm.monitor.glucose.alerts import GlucoseMonitor
from medlm.monitor.glucose.config import GlucoseSettings
from medlm.monitor.glucose.metrics import CgmMetrics, cgm_metrics
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.records import Rejection


class GlucoseReport(BaseModel):
    """Consensus metrics per patient over each patient's own span, alerts in time order, and
    the readings the monitor refused (conflicting repeats, future times)."""

    patients: dict[str, CgmMetrics] = Field(default_factory=dict)
    alerts: list[VitalAlert] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)
    kept: dict[str, list[GlucoseReading]] = Field(
        default_factory=dict,
        exclude=True,
        description="Each patient's readings the metrics were computed from (for the AGP).",
    )


def glucose_report(
    readings: Sequence[GlucoseReading],
    settings: GlucoseSettings | None = None,
    *,
    thresholds: GlucoseThresholds | None = None,
    now: datetime | None = None,
) -> GlucoseReport:
    """Metrics and alerts of readings of any number of patients (replayed in time order)."""
    settings = settings or GlucoseSettings()
    thresholds = thresholds or load_glucose_thresholds()
    monitor = GlucoseMonitor(settings, thresholds=thresholds)
    report = GlucoseReport()
    by_patient: dict[str, list[GlucoseReading]] = {}
    for reading in sorted(readings, key=lambda r: (r.time, r.patient_id)):
        assessment, alerts = monitor.ingest(reading, now)
        report.alerts.extend(alerts)
        if assessment.rejection is not None:
            report.rejected.append(assessment.rejection)
        if assessment.status in ("new", "late", "duplicate"):
            by_patient.setdefault(reading.patient_id, []).append(reading)
    for pid, own in sorted(by_patient.items()):
        report.kept[pid] = own
        report.patients[pid] = cgm_metrics(
            own,
            interval=settings.interval,
            max_gap_factor=settings.max_gap_factor,
            thresholds=thresholds,
        )
    return report


def patient_profile(report: GlucoseReport, patient_id: str, *, bin_minutes: int = 15) -> AgpProfile:
    """One patient's AGP from the readings the report kept, carrying the report's metrics (so
    the plot's table and the report agree); InputError when the patient has no kept reading."""
    readings = report.kept.get(patient_id)
    if not readings:
        raise InputError(f"no glucose reading of patient {patient_id!r} to profile")
    profile = agp_profile(readings, bin_minutes=bin_minutes)
    return profile.model_copy(update={"metrics": report.patients[patient_id]})


_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:70em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}"
    ".agp img{max-width:100%}.disclaimer{color:#555;font-size:.9em}"
)


def _alerts_table(alerts: Sequence[VitalAlert]) -> str:
    if not alerts:
        return "<p>No glucose alert.</p>"
    head = "<tr><th>Time</th><th>Kind</th><th>Level</th><th>Paged</th><th>Reason</th></tr>"
    rows = "".join(
        f"<tr><td>{html.escape(a.time.isoformat())}</td><td>{html.escape(a.kind)}</td>"
        f"<td>{a.level}</td><td>{'yes' if a.notify else 'no'}</td>"
        f"<td>{html.escape(a.reason)}</td></tr>"
        for a in alerts
    )
    return f"<table class='alerts'>{head}{rows}</table>"


def html_report(
    profile: AgpProfile,
    alerts: Sequence[VitalAlert],
    *,
    disclaimer: str,
    rejected: int = 0,
    language: str = "en",
) -> str:
    """A standalone HTML page for one patient: the AGP with its metrics table (plot inline as
    a data: URL), the patient's alerts and the disclaimer; no script, no external asset."""
    pid = html.escape(profile.patient_id)
    own = [a for a in alerts if a.patient_id == profile.patient_id]
    refused = (
        f"<p>{rejected} reading(s) were rejected and are not in this report.</p>"
        if rejected
        else ""
    )
    return (
        f"<!doctype html><html lang='{html.escape(language)}'><head><meta charset='utf-8'>"
        f"<title>Glucose report: {pid}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Glucose report: patient {pid}</h1>"
        f"{render_html(profile, language=language)}"
        f"<section><h2>Glucose alerts</h2>{_alerts_table(own)}{refused}</section>"
        f"<footer><p class='disclaimer'>{html.escape(disclaimer)}</p></footer>"
        "</body></html>\n"
    )
