"""Loose FHIR Observations (an API batch, each naming its `Patient/<id>` subject) to records.

They are read as one Bundle, so they get exactly the checks and conversions a Bundle's
Observations get; vital signs and glucose both arrive this way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from medlm.records.fhir import codes
from medlm.records.read import read_document
from medlm.records.report import IngestReport, Rejection

_FHIR_ID = re.compile(codes.FHIR_ID_PATTERN)


def read_observation_resources(
    resources: list[Any], *, source: str | None = None, as_of: datetime | None = None
) -> IngestReport:
    """Loose FHIR Observations (each naming its `Patient/<id>` subject) read as one Bundle.

    Rejections carry the 0-based index in `resources`. The patients are known only by id.
    """
    report = IngestReport(source=source)
    entries: list[dict[str, Any]] = []
    positions: list[int] = []
    patients: dict[str, None] = {}
    for index, resource in enumerate(resources):
        pid = _subject_id(resource)
        if isinstance(pid, Rejection):
            report.rejections.append(pid.model_copy(update={"position": index}))
            report.count("Observation").rejected += 1
            continue
        entries.append({"resource": resource})
        positions.append(index)
        patients[pid] = None
    if not entries:
        return report
    stubs = [{"resource": {"resourceType": "Patient", "id": pid}} for pid in patients]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [*entries, *stubs]}
    read = read_document(bundle, source=source, as_of=as_of)
    for rejection in read.rejections:
        at = rejection.position
        mapped = positions[at] if at is not None and at < len(positions) else None
        report.rejections.append(rejection.model_copy(update={"position": mapped}))
    report.records, report.skipped, report.notes = read.records, read.skipped, read.notes
    for kind, count in read.counts.items():
        if kind != "Patient":
            report.counts[kind] = count
    report.rejections.sort(key=lambda r: -1 if r.position is None else r.position)
    return report


def _time_out_of_range(resource: dict[str, Any]) -> tuple[str, str] | None:
    """(path, text) of an effective time with a zone that has no UTC equivalent, else None."""
    period = resource.get("effectivePeriod")
    times = {
        "Observation.effectiveDateTime": resource.get("effectiveDateTime"),
        "Observation.effectiveInstant": resource.get("effectiveInstant"),
        "Observation.effectivePeriod.start": period.get("start")
        if isinstance(period, dict)
        else None,
    }
    for path, text in times.items():
        if not isinstance(text, str) or "T" not in text:
            continue
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            continue  # not a time at all: the reader names it
        except OverflowError:
            return path, text
    return None


def _subject_id(resource: Any) -> str | Rejection:
    """The patient id an Observation's subject names, or why it cannot be used (a subject that
    is not `Patient/<id>`, or a time with no UTC equivalent, which no later step can compare)."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Observation":
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        return Rejection(
            resource_type=str(kind) if kind else None,
            field="resourceType",
            value=repr(kind)[:40],
            reason="expected a FHIR Observation resource",
        )
    subject = resource.get("subject")
    ref = subject.get("reference") if isinstance(subject, dict) else None
    pid = ref[len("Patient/") :] if isinstance(ref, str) and ref.startswith("Patient/") else None
    rid = resource.get("id")
    bad_time = _time_out_of_range(resource)
    if bad_time is not None:
        path, text = bad_time
        return Rejection(
            resource_id=str(rid)[:64] if rid is not None else None,
            resource_type="Observation",
            patient_id=pid,
            field=path,
            value=repr(text)[:40],
            reason="time is outside the range of UTC dates (years 1-9999)",
        )
    if pid is None or not _FHIR_ID.fullmatch(pid):
        return Rejection(
            resource_id=str(rid)[:64] if rid is not None else None,
            resource_type="Observation",
            field="Observation.subject.reference",
            value=repr(ref)[:80],
            reason="must be a reference 'Patient/<id>' to the patient the value belongs to",
        )
    return pid
