"""A CDS Hooks request (https://cds-hooks.hl7.org/2.0/) into PatientRecords.

The request's `prefetch` values (a searchset Bundle, a single resource, or null) and its
`context.draftOrders` Bundle are read as one document; `context.patientId` names the patient,
who gets a minimal Patient record when the request carries no Patient resource. Draft orders
keep the status they were sent with (usually 'draft'). A prefetch value or draftOrders that is
not a resource or Bundle (or whose `entry` is not a list) is a rejection naming its path, e.g.
'prefetch.observations'; it is never silently ignored.
"""

from __future__ import annotations

from typing import Any

from medlm.errors import InputError
from medlm.records.fhir.read import Item, bundle_items, read_items
from medlm.records.report import IngestReport, Rejection


def _reject(report: IngestReport, path: str, value: Any, reason: str) -> None:
    report.rejections.append(Rejection(field=path, value=repr(value)[:80], reason=reason))


def _document_items(value: Any, path: str, report: IngestReport) -> list[Item]:
    """The resources of one prefetch value or of draftOrders."""
    if value is None:
        return []
    if not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
        _reject(report, path, value, "not a FHIR resource or Bundle")
        return []
    if value["resourceType"] != "Bundle":
        return [Item(None, value, where=path)]
    entries = value.get("entry", [])
    if not isinstance(entries, list):
        _reject(report, f"{path}.entry", entries, "Bundle.entry must be a JSON array")
        return []
    return bundle_items(entries, report, where=path)


def _dedupe(items: list[Item]) -> list[Item]:
    """Drop exact repeats of a resource (the same Patient in two prefetch values)."""
    seen: list[Any] = []
    out = []
    for item in items:
        if item.resource in seen:
            continue
        seen.append(item.resource)
        out.append(item)
    return out


def read_cds_resources(request: dict[str, Any], *, source: str | None = None) -> IngestReport:
    """Read the patient data of a CDS Hooks request into an IngestReport (not normalized;
    `medlm.records.read.read_cds_request` normalizes it)."""
    if not isinstance(request, dict):
        raise InputError("a CDS Hooks request must be a JSON object")
    report = IngestReport(source=source or f"CDS Hooks {request.get('hook', 'request')}")
    context = request.get("context") or {}
    prefetch = request.get("prefetch") or {}
    if not isinstance(prefetch, dict):
        _reject(report, "prefetch", prefetch, "prefetch must be a JSON object")
        prefetch = {}
    items: list[Item] = []
    for key, value in prefetch.items():
        items += _document_items(value, f"prefetch.{key}", report)
    if isinstance(context, dict) and "draftOrders" in context:
        items += _document_items(context["draftOrders"], "context.draftOrders", report)
    patient_id = context.get("patientId") if isinstance(context, dict) else None
    expected = [str(patient_id)] if patient_id else []
    return read_items(_dedupe(items), report, minimal_patients=True, expected_patients=expected)
