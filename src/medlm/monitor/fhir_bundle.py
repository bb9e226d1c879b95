"""A monitoring run as one FHIR R4 collection Bundle: NEWS2 Observations and alert DetectedIssues.

Each complete NEWS2 becomes an Observation `derivedFrom` the vital-sign Observations of its set;
each alert becomes a DetectedIssue implicating that score Observation. A partial NEWS2 has no
total to export: it is named in the notes, never written as a lower total.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from medlm.knowledge.early_warning import News2Table
from medlm.monitor.alerts import AlertPolicy, VitalAlert
from medlm.monitor.fhir import Json, alert_issue, news2_observation
from medlm.monitor.stream import Assessment, VitalSignMonitor
from medlm.monitor.vitals import VitalSigns
from medlm.records import Rejection

_Key = tuple[str, datetime]


class MonitoringBundle(BaseModel):
    """The Bundle, the sets the monitor refused, and what was not exported and why."""

    bundle: Json
    rejected: list[Rejection] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def _key(patient_id: str, time: datetime) -> _Key:
    return patient_id, time.astimezone(UTC)


def to_fhir_bundle(
    assessments: Sequence[Assessment],
    alerts: Sequence[VitalAlert],
    table: News2Table,
    sources: dict[_Key, list[str]] | None = None,
) -> tuple[Json, list[str]]:
    """The Bundle of scores and alerts, and a note for each partial score left out."""
    sources = sources or {}
    entries: list[Json] = []
    score_refs: dict[_Key, str] = {}
    notes: list[str] = []
    by_key: dict[_Key, Assessment] = {}
    for a in assessments:
        key = _key(a.patient_id, a.time)
        by_key[key] = a
        if a.status == "duplicate":
            continue
        if a.news2.total is None:
            notes.append(
                f"NEWS2 of {a.patient_id} at {a.time.isoformat()} is partial (missing "
                f"{', '.join(a.news2.missing)}): not exported"
            )
            continue
        rid = f"news2-{len(score_refs) + 1}"
        entries.append({"resource": news2_observation(a, table, sources.get(key, ()), rid)})
        score_refs[key] = f"Observation/{rid}"
    for alert in alerts:
        key = _key(alert.patient_id, alert.time)
        assessment = by_key.get(key)
        if assessment is None:
            continue
        issue = alert_issue(alert, assessment, table, sources.get(key, ()), score_refs.get(key))
        entries.append({"resource": issue})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}, notes


def monitoring_bundle(
    sets: Sequence[VitalSigns],
    *,
    monitor: VitalSignMonitor | None = None,
    policy: AlertPolicy | None = None,
    now: datetime | None = None,
) -> MonitoringBundle:
    """Run the sets (in time order) through a monitor and alert policy; the FHIR result."""
    monitor = monitor or VitalSignMonitor()
    policy = policy or AlertPolicy()
    assessments: list[Assessment] = []
    alerts: list[VitalAlert] = []
    rejected: list[Rejection] = []
    sources: dict[_Key, list[str]] = {}
    for vitals in sorted(sets, key=lambda v: (v.time, v.patient_id)):
        assessment, bad = monitor.ingest(vitals, now=now)
        rejected.extend(bad)
        if assessment is None:
            continue
        sources.setdefault(_key(vitals.patient_id, vitals.time), []).extend(vitals.sources)
        assessments.append(assessment)
        alerts.extend(policy.evaluate(assessment))
    bundle, notes = to_fhir_bundle(assessments, alerts, monitor.table, sources)
    return MonitoringBundle(bundle=bundle, rejected=rejected, notes=notes)
