"""Read FHIR R4 JSON (a Bundle, or resources from any document) into PatientRecords.

Every resource is validated with the fhir.resources R4B model and converted on its own; one
that fails becomes a Rejection (position, id, type, FHIR field path, value, reason) and the rest
is still read. Types no application reads (Encounter, Claim, Organization, Practitioner,
DiagnosticReport, Medication, ...) are counted in `report.skipped`; Medication and Encounter are
still followed as context by the resources that refer to them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medlm.errors import InputError
from medlm.records.fhir import codes
from medlm.records.fhir.assemble import Read, assemble
from medlm.records.fhir.convert import CONVERTERS
from medlm.records.fhir.parse import FieldError, Json
from medlm.records.fhir.references import Index
from medlm.records.fhir.validate import validate_resource, validate_shell
from medlm.records.report import IngestReport, Rejection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    """One resource of a document, with where it stands (position, fullUrl, file or key)."""

    position: int | None
    resource: Any
    full_url: str | None = None
    where: str | None = None


def _reject(
    item: Item, report: IngestReport, kind: str | None, rid: str | None, **how: Any
) -> None:
    if kind is not None:
        report.count(kind).rejected += 1
    reason = str(how.pop("reason"))
    report.rejections.append(
        Rejection(
            position=item.position,
            resource_id=rid,
            resource_type=kind,
            reason=f"{item.where}: {reason}" if item.where else reason,
            **how,
        )
    )


def _read_item(item: Item, index: Index, report: IngestReport) -> Read | None:
    resource = item.resource
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        _reject(item, report, None, None, field="resourceType", reason="not a FHIR resource")
        return None
    kind = resource["resourceType"]
    rid = str(resource["id"]) if resource.get("id") is not None else None
    if kind not in codes.SUPPORTED_TYPES:
        # Types no application reads are counted, never a reason to refuse the patient.
        report.skip(kind)
        return None
    try:
        validate_resource(resource, kind)
        converted = CONVERTERS[kind](resource, index)
    except FieldError as exc:
        _reject(item, report, kind, rid, field=exc.path, value=exc.value, reason=exc.reason)
        return None
    label = f"{item.where + ' ' if item.where else ''}{kind} {rid!r}"
    report.notes.extend(f"{label}: {note}" for note in converted.notes)
    if converted.skip_reason is not None:
        report.skip(kind)
        report.notes.append(f"{label}: skipped, {converted.skip_reason}")
        return None
    return Read(item.position, rid, kind, converted, item.where)


def read_items(
    items: Sequence[Item],
    report: IngestReport,
    *,
    minimal_patients: bool = False,
    expected_patients: Sequence[str] = (),
) -> IngestReport:
    """Read resources of one document into `report` (records, rejections, counts, notes).

    All items share one reference index, so a reference may name any resource of the document.
    See `assemble` for `minimal_patients` and `expected_patients`.
    """
    index = Index()
    for item in items:
        index.add(item.resource, item.full_url)
    index.finish()
    reads = [r for item in items if (r := _read_item(item, index, report))]
    assemble(
        reads,
        index,
        report,
        minimal_patients=minimal_patients,
        expected_patients=expected_patients,
    )
    report.rejections.sort(key=lambda r: -1 if r.position is None else r.position)
    logger.info("read %d patients, %d rejections", report.patients, report.rejection_count)
    return report


def load_json(source: str | bytes | dict[str, Any] | Path) -> tuple[Any, str | None]:
    """Parsed JSON and a name for it; InputError when it cannot be read or parsed."""
    name = None
    if isinstance(source, Path):
        name = str(source)
        try:
            source = source.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read FHIR JSON {name}: {exc.strerror}") from exc
    if isinstance(source, str | bytes):
        try:
            return json.loads(source), name
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{name or 'input'} is not valid JSON: {exc}") from exc
    return source, name


def check_bundle(source: Any, name: str) -> list[Any]:
    """The entries of a valid, non-empty Bundle; InputError naming what is wrong otherwise."""
    if not isinstance(source, dict):
        raise InputError(
            f"{name} is not a FHIR Bundle: expected a JSON object, "
            f"got a JSON {type(source).__name__}"
        )
    kind = source.get("resourceType")
    if kind != "Bundle":
        raise InputError(f"{name} is not a FHIR Bundle: its resourceType is {kind!r}")
    entries = source.get("entry")
    if entries is not None and not isinstance(entries, list):
        raise InputError(f"{name}: Bundle.entry must be a JSON array")
    if not entries:
        raise InputError(f"{name} is an empty FHIR Bundle: it has no entries")
    validate_shell(source, name)
    return entries


def bundle_items(entries: list[Any], report: IngestReport, where: str | None = None) -> list[Item]:
    """The resources of Bundle entries; an entry without a resource is skipped when it is a
    request or response (a transaction DELETE, a batch answer), else rejected. A resource
    without an id whose fullUrl is a `urn:uuid:` takes that uuid as its id."""
    items = []
    for i, entry in enumerate(entries):
        entry = entry if isinstance(entry, dict) else {}
        if entry.get("resource") is None and ("request" in entry or "response" in entry):
            report.skip("Bundle.entry without a resource")
            continue
        if not isinstance(entry.get("resource"), dict):
            reason = f"{where}: no resource" if where else "no resource"
            report.rejections.append(
                Rejection(position=i, field="Bundle.entry.resource", reason=reason)
            )
            continue
        resource, full_url = entry["resource"], entry.get("fullUrl")
        if resource.get("id") is None and str(full_url).startswith("urn:uuid:"):
            # A transaction entry (POST) is identified by its fullUrl: its uuid is its id.
            resource = {**resource, "id": str(full_url).removeprefix("urn:uuid:")}
        items.append(Item(i, resource, full_url, where))
    return items


def read_bundle(source: str | bytes | dict[str, Any] | Path) -> IngestReport:
    """Read a FHIR R4 Bundle (dict, JSON text or a Path) into an IngestReport.

    Positions are 0-based `Bundle.entry` indexes. Resources about a rejected patient are not
    counted as rejections of their own: they are held back and listed under that patient's
    rejection (`Rejection.held_back`, counted as `held_back` by type). A reference to a patient
    that is not in the bundle is a rejection.

    Elements medlm's records do not hold (names, addresses, identifiers other than medlm's
    own, narrative text) are not carried over: records are identity-free by design.

    Raises InputError for malformed JSON, a document that is not a Bundle, an empty Bundle,
    and a Bundle whose own elements (type, entry fullUrl, ...) are invalid.
    """
    document, name = load_json(source)
    entries = check_bundle(document, name or "input")
    report = IngestReport(source=name)
    return read_items(bundle_items(entries, report), report)


def read_resource(resource: Json, *, source: str | None = None) -> IngestReport:
    """Read one FHIR resource that is not a Bundle (a MedicationRequest, a Patient, ...).

    The resource's subject need not be in the document: its patient id is taken from the
    reference (`Patient/123` -> '123') and a minimal Patient record (id only; no birth date,
    sex unknown) is made for it, with a note in the report. Contained resources (`#id`) are
    resolved; a reference to anything else cannot be.
    """
    report = IngestReport(source=source)
    return read_items([Item(None, resource)], report, minimal_patients=True)
