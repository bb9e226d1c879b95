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

from medlm import i18n
from medlm.errors import InputError
from medlm.knowledge.glucose import GlucoseThresholds, load_glucose_thresholds
from medlm.monitor.alerts import VitalAlert
from medlm.monitor.glucose.agp import AgpProfile, agp_profile, label, render_html
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


def _t(language: str, msgid: str) -> str:
    """`msgid` from the web app's catalogues in `language` (messages of the glucose report)."""
    return str(i18n.gettext(language, msgid))


def _alerts_table(alerts: Sequence[VitalAlert], language: str) -> str:
    if not alerts:
        return f"<p>{html.escape(_t(language, 'No glucose alert.'))}</p>"
    head = "".join(
        f"<th>{html.escape(_t(language, h))}</th>" for h in ("Time", "Kind", "Level", "Paged")
    )
    head = f"<tr>{head}<th>{html.escape(_t(language, 'Reason'))}</th></tr>"
    yes, no = _t(language, "yes"), _t(language, "no")
    rows = "".join(
        f"<tr><td>{html.escape(a.time.isoformat())}</td><td>{html.escape(a.kind)}</td>"
        f"<td>{a.level}</td><td>{html.escape(yes if a.notify else no)}</td>"
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
    """A standalone HTML page for one patient in `language` (en or zh_CN): the AGP with its
    metrics table (plot inline as a data: URL), the patient's alerts and the disclaimer (itself
    translated when the catalogue holds it); no script, no external asset. Alert reasons are
    the alerts' own text."""
    label("title", language)  # refuses an unknown language
    own = [a for a in alerts if a.patient_id == profile.patient_id]
    title = html.escape(
        _t(language, "Glucose report: patient %(patient)s") % {"patient": profile.patient_id}
    )
    refused = ""
    if rejected:
        text = i18n.ngettext(
            language,
            "%(num)d reading was rejected and is not in this report.",
            "%(num)d readings were rejected and are not in this report.",
            rejected,
        )
        refused = f"<p>{html.escape(text % {'num': rejected})}</p>"
    return (
        f"<!doctype html><html lang='{i18n.html_lang(language)}'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{title}</h1>"
        f"{render_html(profile, language=language)}"
        f"<section><h2>{html.escape(_t(language, 'Glucose alerts'))}</h2>"
        f"{_alerts_table(own, language)}{refused}</section>"
        f"<footer><h2>{html.escape(_t(language, 'Disclaimer'))}</h2>"
        f"<p class='disclaimer'>{html.escape(_t(language, disclaimer))}</p></footer>"
        "</body></html>\n"
    )
