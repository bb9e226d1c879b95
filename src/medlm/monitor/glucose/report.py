"""`glucose_report`: a batch of glucose readings scored per patient: metrics and alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from medlm.knowledge.glucose import GlucoseThresholds, load_glucose_thresholds
from medlm.monitor.alerts import VitalAlert
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
        report.patients[pid] = cgm_metrics(
            own,
            interval=settings.interval,
            max_gap_factor=settings.max_gap_factor,
            thresholds=thresholds,
        )
    return report
