"""Replay vital-sign streams through the monitor and compare alert policies side by side.

Alert burden is alerts that page staff per patient-day (each patient's observed span, at least
one hour); for labelled scenarios, detection delay is the time from the labelled onset to the
first paging alert at or after it, and alerts before onset are counted as early/false.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from medlm.monitor.alerts import AlertPolicy, NaivePolicy, VitalAlert
from medlm.monitor.stream import Assessment, VitalSignMonitor
from medlm.monitor.vitals import VitalSigns
from medlm.records import Rejection


class Policy(Protocol):
    def evaluate(self, a: Assessment) -> list[VitalAlert]: ...


class PolicyReport(BaseModel):
    """Alert burden and detection figures of one policy on one replay."""

    model_config = ConfigDict(frozen=True)

    policy: str
    paging_alerts: int
    patients: int
    patient_days: float
    alerts_per_patient_day: float
    detected: int | None = None
    deteriorating: int | None = None
    median_delay_h: float | None = None
    alerts_before_onset: int | None = None
    alerts_on_stable: int | None = None


class ReplayResult(BaseModel):
    """What a replay saw: sets, rejections, assessments and each policy's alerts and report."""

    sets: int
    rejected: list[Rejection]
    assessments: list[Assessment]
    alerts: dict[str, list[VitalAlert]]
    reports: list[PolicyReport]


def replay(
    sets: Iterable[VitalSigns],
    policies: dict[str, Policy] | None = None,
    *,
    onsets: dict[str, datetime | None] | None = None,
    monitor: VitalSignMonitor | None = None,
) -> ReplayResult:
    """Feed `sets` in time order to one monitor and every policy; report each policy."""
    policies = policies or {"medlm": AlertPolicy(), "naive": NaivePolicy()}
    monitor = monitor or VitalSignMonitor()
    ordered = sorted(sets, key=lambda v: (v.time, v.patient_id))
    rejected: list[Rejection] = []
    assessments: list[Assessment] = []
    alerts: dict[str, list[VitalAlert]] = {name: [] for name in policies}
    accepted: list[VitalSigns] = []
    for vitals in ordered:
        assessment, bad = monitor.ingest(vitals)
        rejected.extend(bad)
        if assessment is None:
            continue  # timed in the future: rejected, never scored
        accepted.append(vitals)
        assessments.append(assessment)
        for name, policy in policies.items():
            alerts[name].extend(policy.evaluate(assessment))
    spans = _spans(accepted)
    reports = [_report(name, alerts[name], spans, onsets) for name in policies]
    return ReplayResult(
        sets=len(ordered), rejected=rejected, assessments=assessments, alerts=alerts,
        reports=reports,
    )  # fmt: skip


def _spans(sets: Sequence[VitalSigns]) -> dict[str, tuple[datetime, datetime]]:
    spans: dict[str, tuple[datetime, datetime]] = {}
    for v in sets:
        first, last = spans.get(v.patient_id, (v.time, v.time))
        spans[v.patient_id] = (min(first, v.time), max(last, v.time))
    return spans


def _report(
    name: str,
    alerts: list[VitalAlert],
    spans: dict[str, tuple[datetime, datetime]],
    onsets: dict[str, datetime | None] | None,
) -> PolicyReport:
    paging = [a for a in alerts if a.notify]
    days = sum(
        max(last - first, timedelta(hours=1)) / timedelta(days=1) for first, last in spans.values()
    )
    report = PolicyReport(
        policy=name,
        paging_alerts=len(paging),
        patients=len(spans),
        patient_days=round(days, 2),
        alerts_per_patient_day=round(len(paging) / days, 3) if days else 0.0,
    )
    if not onsets:
        return report
    delays: list[float] = []
    before = on_stable = 0
    for pid, onset in onsets.items():
        own = [a for a in paging if a.patient_id == pid]
        if onset is None:
            on_stable += len(own)
            continue
        before += sum(a.time < onset for a in own)
        after = [a.time for a in own if a.time >= onset]
        if after:
            delays.append((min(after) - onset) / timedelta(hours=1))
    return report.model_copy(
        update={
            "detected": len(delays),
            "deteriorating": sum(o is not None for o in onsets.values()),
            "median_delay_h": statistics.median(delays) if delays else None,
            "alerts_before_onset": before,
            "alerts_on_stable": on_stable,
        }
    )


def load_replay_input(
    lines: list[str] | None, dataset: str | None, scenarios: bool
) -> tuple[list[VitalSigns], dict[str, datetime | None], list[str], list[str]]:
    """Sets from a JSON-lines file and/or a dataset and/or synthetic scenarios, with labels."""
    from medlm.errors import InputError
    from medlm.monitor.observations import vital_sets
    from medlm.monitor.scenarios import make_scenarios
    from medlm.records.vital_lines import read_vital_lines

    if lines is None and dataset is None and not scenarios:
        raise InputError("give a FILE, --dataset cdisc-vitals, or --scenarios")
    sets: list[VitalSigns] = []
    sources: list[str] = []
    errors: list[str] = []
    if lines is not None:
        report = read_vital_lines(lines, source="file")
        sets, unusable = vital_sets(report.records)
        errors = [r.line() for r in [*report.rejections, *unusable]]
        sources.append(f"file: {len(sets)} sets, {len(errors)} rejected lines or values")
    if dataset is not None:
        if dataset != "cdisc-vitals":
            raise InputError(f"--dataset {dataset!r}: only cdisc-vitals has vital signs")
        from medlm.monitor.cdisc import load_cdisc_sets

        cdisc, note = load_cdisc_sets()
        sets += cdisc
        sources.append(f"{note}: {len(cdisc)} sets (real data; NEWS2 partial: RR, SpO2, ACVPU "
                       "not recorded)")  # fmt: skip
    onsets: dict[str, datetime | None] = {}
    if scenarios:
        synthetic = make_scenarios()
        sets += [v for s in synthetic for v in s.sets]
        onsets = {s.patient_id: s.onset for s in synthetic}
        sources.append(f"SYNTHETIC scenarios: {len(synthetic)} labelled patients")
    return sets, onsets, sources, errors


def replay_report(sets: list[VitalSigns], onsets: dict[str, datetime | None]) -> dict[str, Any]:
    """Replay with medlm's policy and the naive one; a JSON-ready summary."""
    result = replay(sets, onsets=onsets or None)
    return {
        "sets": result.sets,
        "rejected": len(result.rejected),
        "reports": [r.model_dump() for r in result.reports],
        "synthetic_detection": bool(onsets),
    }
