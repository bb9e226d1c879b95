"""The patient chart at `/patients/{patient_id}`: demographics and the record's problems,
medications, allergies and genotypes; vital-sign charts with NEWS2 bands over a chosen window;
glucose; the patient's open and recently acknowledged alerts with the board's acknowledgement
form; risk, treatment and notes (see `medlm.web.components`). Times show in the ward's zone
(`web.time_zone`).

Clinicians and admins see the identified chart. A researcher reaches `/patients/{pseudonym}`
from the board and sees a de-identified chart (`components.deid_chart`): the pseudonym resolved
server-side, ages only, times as hours before now, notes de-identified before analysis, no
monitor texts. A real id from a researcher is refused (403). Every view is audited.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from medlm.errors import MedlmError
from medlm.knowledge.early_warning import load_news2
from medlm.knowledge.glucose import load_glucose_thresholds
from medlm.monitor.glucose.units import MG_DL, in_unit
from medlm.privacy.encryption import EncryptionKeyError
from medlm.records import PatientRecord
from medlm.service.deps import ServicesDep
from medlm.service.services import AppServices
from medlm.storage.repository import load_patient
from medlm.web import i18n
from medlm.web.accounts import WebUser
from medlm.web.auth import WebUserDep, audit_page, web_settings
from medlm.web.components.cards import (
    outside_line,
    problem_detail,
    risk_card,
    treatment_cards,
)
from medlm.web.components.chart_alerts import patient_alerts
from medlm.web.components.chart_data import (
    CHARTED,
    VitalWindow,
    glucose_series,
    spo2_parameter,
    vital_window,
)
from medlm.web.components.chart_results import ChartResults, chart_results
from medlm.web.components.deid_chart import (
    deid_patient,
    deid_record,
    deid_scores,
    hours_ago,
    resolve_pseudonym,
)
from medlm.web.components.highlight import highlight_note
from medlm.web.components.local_time import LocalTime, time_context
from medlm.web.components.messages import N_
from medlm.web.components.svg_chart import glucose_chart, score_strip, vital_chart, window
from medlm.web.templating import render

logger = logging.getLogger(__name__)
router = APIRouter()

WINDOWS: tuple[int, ...] = (24, 72, 168)
TimeFormat = Callable[[datetime], str]


def vital_charts(
    vitals: VitalWindow, locale: str, fmt: TimeFormat, zone: tzinfo | None = None
) -> list[Markup]:
    """One SVG per charted vital sign that has values in the window, then the score strip;
    time ticks on round hours of `zone` (evenly spaced without one)."""
    table = load_news2()
    label = partial(i18n.gettext, locale)
    charts = []
    for news2_key, stored, title in CHARTED:
        key = spo2_parameter(vitals) if stored == "spo2" else news2_key
        points = vitals.series.get(stored, [])
        if points:
            charts.append(
                vital_chart(
                    label(title),
                    points,
                    table.parameters[key],
                    vitals.start,
                    vitals.end,
                    label=label,
                    format_time=fmt,
                    time_zone=zone,
                )
            )
    if vitals.scores:
        charts.append(
            score_strip(
                vitals.scores,
                table,
                vitals.start,
                vitals.end,
                label=label,
                format_time=fmt,
                time_zone=zone,
            )
        )
    return charts


def _record(services: AppServices, patient_id: str) -> tuple[PatientRecord | None, str | None]:
    """The stored record, or None and why it could not be read (no key, storage error)."""
    try:
        return load_patient(services.engine, patient_id), None
    except (EncryptionKeyError, MedlmError) as exc:
        logger.error("patient record not readable: %s", type(exc).__name__)
        return None, N_("The stored record could not be read.")


def _glucose(
    services: AppServices,
    patient_id: str,
    vitals: VitalWindow,
    locale: str,
    fmt: TimeFormat,
    zone: tzinfo | None,
) -> tuple[Markup | None, str | None]:
    """The glucose chart in the newest reading's unit, and that unit (None without readings)."""
    try:
        series = glucose_series(services.engine, patient_id, vitals.start, vitals.end)
    except MedlmError:
        return None, None
    if not series.points:
        return None, None
    metrics = load_glucose_thresholds().metrics
    # the target edges are whole mg/dL; in mmol/L one decimal, as the guidelines print them
    digits = 0 if series.unit == MG_DL else 1
    low, high = (
        round(in_unit(v, series.unit), digits)
        for v in (metrics.in_range_low, metrics.in_range_high)
    )
    label = partial(i18n.gettext, locale)
    chart = glucose_chart(
        series.points,
        (low, high),
        vitals.start,
        vitals.end,
        label=label,
        format_time=fmt,
        time_zone=zone,
        unit=series.unit,
    )
    return chart, series.unit


def chart_context(
    services: AppServices,
    patient_id: str,
    hours: int,
    locale: str,
    now: datetime,
    shown: str | None = None,
) -> dict[str, Any] | None:
    """Everything the chart template needs; None when nothing is stored about the patient.
    With `shown` (the board pseudonym) the chart is de-identified."""
    started = time.perf_counter()
    record, record_problem = _record(services, patient_id)
    secret = services.settings.security.deid_secret.get_secret_value()
    if shown is not None and record is not None:
        record = deid_record(record, services.phi_detector, secret)
    times = LocalTime(locale, web_settings(services).zone)
    zone = times.zone if shown is None else None  # the de-identified chart shows hours ago
    fmt: TimeFormat = times.tick if shown is None else partial(hours_ago, now)
    start, end = window(now, hours)
    vitals = vital_window(services.engine, patient_id, start, end)
    glucose, glucose_unit = _glucose(services, patient_id, vitals, locale, fmt, zone)
    alerts = patient_alerts(services.engine, patient_id, start) if shown is None else None
    has_alerts = alerts is not None and bool(alerts.open or alerts.acknowledged)
    nothing = record is None and record_problem is None and vitals.empty and glucose is None
    if nothing and not has_alerts:  # a patient on the board by an open alert alone has a chart
        return None
    results = ChartResults()
    if record is not None:
        results = chart_results(
            record,
            models=services.risk_models,
            recommender=services.recommender,
            analyzer=services.text_analyzer,
            as_of=now,
            freshness_days=services.settings.records.freshness_days,
        )
        if shown is not None:
            results.scores = deid_scores(results.scores, services.phi_detector, secret)
    context = {
        "patient_id": patient_id if shown is None else shown,
        "deidentified": shown is not None,
        "deid_patient": deid_patient(record, shown, now) if shown and record else None,
        "chart_now": now,
        "record": record,
        "record_problem": record_problem,
        "hours": hours,
        "windows": WINDOWS,
        "vitals": vitals,
        "charts": vital_charts(vitals, locale, fmt, zone),
        "glucose": glucose,
        "glucose_unit": glucose_unit,
        "alerts": alerts,
        "results": results,
        **_result_cards(results, locale),
        **time_context(times),
    }
    logger.debug("chart context built in %.1f ms", (time.perf_counter() - started) * 1000)
    return context


def _result_cards(results: ChartResults, locale: str) -> dict[str, list[Markup]]:
    """The risk cards, treatment cards and highlighted notes of the chart's results."""
    label = partial(i18n.gettext, locale)
    percent = partial(i18n.format_number, locale, digits=0)
    return {
        "risk_cards": [
            risk_card(
                s, label=label, format_percent=lambda p: f"{percent(p * 100)}%", locale=locale
            )
            for s in results.scores
        ],
        "treatment_cards": treatment_cards(results.treatment, label=label, locale=locale)
        if results.treatment is not None
        else [],
        "outside_lines": [outside_line(m, locale) for m in results.outside],
        "problem_details": [problem_detail(p, locale) for p in results.problems],
        "notes": [highlight_note(n.text, n.entities, label=label) for n in results.notes],
    }


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
async def chart_page(
    request: Request,
    patient_id: str,
    user: WebUserDep,
    services: ServicesDep,
    hours: Annotated[int, Query(description="Chart window in hours: 24, 72 or 168.")] = 24,
) -> HTMLResponse:
    """The patient chart (de-identified for researchers, who name the patient by pseudonym;
    404 when nothing is stored about the patient; 422 for a window it does not offer)."""
    locale = i18n.negotiate(request)
    if hours not in WINDOWS:
        return render(
            request,
            "chart_bad_window.html",
            {"patient_id": patient_id, "hours": hours, "windows": WINDOWS},
            status_code=422,
        )
    shown = None
    if not _identified(user):
        shown, real_id = patient_id, await run_in_threadpool(_real_id, services, patient_id)
        if real_id is None:
            audit_page(services, request, user, patient_id, outcome=403)
            return render(request, "chart_refused.html", {"patient_id": shown}, status_code=403)
        patient_id = real_id
    now = datetime.now(UTC)
    context = await run_in_threadpool(
        chart_context, services, patient_id, hours, locale, now, shown
    )
    if context is None:
        audit_page(services, request, user, patient_id, outcome=404)
        missing = {"patient_id": shown or patient_id}
        return render(request, "chart_missing.html", missing, status_code=404)
    audit_page(services, request, user, patient_id)
    return render(request, "chart.html", {**context, "can_acknowledge": _identified(user)})


def _real_id(services: AppServices, shown: str) -> str | None:
    secret = services.settings.security.deid_secret.get_secret_value()
    return resolve_pseudonym(services.engine, shown, secret)


def _identified(user: WebUser) -> bool:
    return bool(user.identified)
