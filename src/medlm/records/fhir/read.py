"""Read a FHIR R4 Bundle into PatientRecords, reporting every resource that fails and why."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pydantic
from fhir.resources.R4B import get_fhir_model_class

from medlm.errors import InputError
from medlm.records.fhir import codes
from medlm.records.fhir.convert import CONVERTERS
from medlm.records.fhir.parse import Converted, FieldError, Json
from medlm.records.patient_record import PatientRecord
from medlm.records.report import HeldBack, IngestReport, Rejection

logger = logging.getLogger(__name__)


@cache
def _model(resource_type: str) -> Any:
    return get_fhir_model_class(resource_type)


def load_bundle_json(source: str | bytes | dict[str, Any] | Path) -> tuple[Json, str | None]:
    """The Bundle as parsed JSON and a name for it; InputError for each unreadable case.

    `source` is a parsed dict, JSON text (str or bytes) or a Path to a JSON file.
    """
    name = None
    if isinstance(source, Path):
        name = str(source)
        try:
            source = source.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read FHIR bundle {name}: {exc.strerror}") from exc
    if isinstance(source, str | bytes):
        try:
            source = json.loads(source)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{name or 'input'} is not valid JSON: {exc}") from exc
    if not isinstance(source, dict):
        raise InputError(
            f"{name or 'input'} is not a FHIR Bundle: expected a JSON object, "
            f"got a JSON {type(source).__name__}"
        )
    kind = source.get("resourceType")
    if kind != "Bundle":
        raise InputError(f"{name or 'input'} is not a FHIR Bundle: its resourceType is {kind!r}")
    entries = source.get("entry")
    if entries is not None and not isinstance(entries, list):
        raise InputError(f"{name or 'input'}: Bundle.entry must be a JSON array")
    if not entries:
        raise InputError(f"{name or 'input'} is an empty FHIR Bundle: it has no entries")
    _validate_shell(source, name or "input")
    return source, name


def _validate_shell(bundle: Json, name: str) -> None:
    """Validate the Bundle without its resources (those are checked one by one)."""
    shell = {
        **bundle,
        "entry": [
            {k: v for k, v in e.items() if k != "resource"} if isinstance(e, dict) else e
            for e in bundle["entry"]
        ],
    }
    try:
        _model("Bundle").model_validate(shell)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = "Bundle" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]
        )
        raise InputError(f"{name} is not a valid FHIR Bundle: {where}: {first['msg']}") from exc


def _string_quantities(value: Any, path: str) -> str | None:
    """The path of a Quantity whose `value` is a JSON string (FHIR decimals are numbers)."""
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}"
            quantity = key.endswith("Quantity") and isinstance(item, dict)
            if quantity and isinstance(item.get("value"), str | bool):
                return f"{sub}.value"
            if found := _string_quantities(item, sub):
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if found := _string_quantities(item, f"{path}[{i}]"):
                return found
    return None


def _validate(resource: Json, kind: str) -> None:
    """Validate with the fhir.resources R4B model; FieldError names the first bad path."""
    bad = _string_quantities(resource, kind)
    if bad is not None:
        raise FieldError(bad, "must be a JSON number, not a string")
    try:
        _model(kind).model_validate(resource)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]]
        raise FieldError(kind + "".join(parts), first["msg"]) from None


@dataclass
class _Read:
    position: int
    resource_id: str | None
    kind: str
    converted: Converted


def _read_entry(position: int, entry: Any, report: IngestReport) -> _Read | None:
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if not isinstance(resource, dict):
        report.rejections.append(
            Rejection(position=position, field="Bundle.entry.resource", reason="no resource")
        )
        return None
    kind = str(resource.get("resourceType"))
    rid = resource.get("id")
    rid = str(rid) if rid is not None else None
    if kind not in codes.SUPPORTED_TYPES:
        # Types no application reads (Encounter, Claim, Organization, ...) are counted, never
        # a reason to refuse the patient.
        report.skip(kind)
        return None
    try:
        _validate(resource, kind)
        converted = CONVERTERS[kind](resource)
    except FieldError as exc:
        report.count(kind).rejected += 1
        report.rejections.append(
            Rejection(
                position=position,
                resource_id=rid,
                resource_type=kind,
                field=exc.path,
                reason=exc.reason,
            )
        )
        return None
    return _Read(position, rid, kind, converted)


def read_bundle(source: str | bytes | dict[str, Any] | Path) -> IngestReport:
    """Read a FHIR R4 Bundle (dict, JSON text or a Path) into an IngestReport.

    Each resource is validated with the fhir.resources R4B model and converted on its own: a
    resource that fails becomes a Rejection (its 0-based entry position, id, resourceType,
    FHIR field path and reason) and the rest of the bundle is still read. A resource of a type
    no application reads (Encounter, Claim, Organization, ...) is counted in `report.skipped`.
    Resources about a rejected patient are not counted as rejections of their own: they are held
    back and listed under that rejection (`Rejection.held_back`, counted as `held_back` by type).

    Elements medlm's records do not hold (names, addresses, identifiers other than medlm's
    own, narrative text) are not carried over: records are identity-free by design.

    Raises InputError for malformed JSON, a document that is not a Bundle, an empty Bundle,
    and a Bundle whose own elements (type, entry fullUrl, ...) are invalid.
    """
    bundle, name = load_bundle_json(source)
    report = IngestReport(source=name)
    reads = [r for i, e in enumerate(bundle["entry"]) if (r := _read_entry(i, e, report))]
    _assemble(reads, _patient_urls(bundle["entry"]), report)
    report.rejections.sort(key=lambda r: -1 if r.position is None else r.position)
    logger.info("read %d patients, %d rejections", report.patients, report.rejection_count)
    return report


def _subject_field(kind: str) -> str:
    return f"{kind}.patient" if kind == "AllergyIntolerance" else f"{kind}.subject"


def _add_patient(
    read: _Read,
    records: dict[str, PatientRecord],
    rejected: dict[str, Rejection],
    report: IngestReport,
) -> None:
    """Start the record of one accepted Patient, or reject it as a duplicate id."""
    fhir_id = read.converted.patient_fhir_id or ""
    if fhir_id in records or fhir_id in rejected:
        report.count("Patient").rejected += 1
        report.rejections.append(
            Rejection(
                position=read.position,
                resource_id=fhir_id,
                resource_type="Patient",
                field="Patient.id",
                reason=f"duplicate Patient id {fhir_id!r} in the bundle",
            )
        )
        return
    records[fhir_id] = PatientRecord(patient=read.converted.items[0])
    report.count("Patient").accepted += 1


def _patient_urls(entries: list[Any]) -> dict[str, str]:
    """fullUrl -> id of every Patient entry (accepted or not), for `urn:uuid:` references."""
    urls: dict[str, str] = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
            continue
        if entry.get("fullUrl") and resource.get("id"):
            urls[str(entry["fullUrl"])] = str(resource["id"])
    return urls


def _assemble(reads: list[_Read], aliases: dict[str, str], report: IngestReport) -> None:
    """Group the accepted resources under their patients; hold back those of rejected ones."""
    records: dict[str, PatientRecord] = {}
    rejected = {
        r.resource_id: r
        for r in report.rejections
        if r.resource_type == "Patient" and r.resource_id is not None
    }
    for read in (r for r in reads if r.converted.kind == "patient"):
        _add_patient(read, records, rejected, report)
    for read in (r for r in reads if r.converted.kind != "patient"):
        ref = read.converted.patient_ref or ""
        ref = aliases.get(ref, ref)
        if ref in records:
            record = records[ref]
            items = [
                item.model_copy(update={"patient_id": record.patient.id})
                for item in read.converted.items
            ]
            getattr(record, read.converted.kind).extend(items)
            report.count(read.kind).accepted += 1
        elif ref in rejected:
            held = HeldBack(
                position=read.position, resource_id=read.resource_id, resource_type=read.kind
            )
            rejected[ref].held_back.append(held)
            report.count(read.kind).held_back += 1
        else:
            report.count(read.kind).rejected += 1
            report.rejections.append(
                Rejection(
                    position=read.position,
                    resource_id=read.resource_id,
                    resource_type=read.kind,
                    field=_subject_field(read.kind),
                    reason=f"refers to patient {ref!r}, which is not in the bundle",
                )
            )
    report.records = list(records.values())
