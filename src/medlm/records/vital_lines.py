"""Vital-sign sets (medlm's flat JSON-lines format, or loose FHIR Observations) to records.

One JSON object is one set: `patient_id`, `time` (with a zone) and any of `respiratory_rate`
(/min), `spo2` (%), `spo2_scale` (1 or 2), `on_oxygen`, `systolic_bp` (mm[Hg]), `heart_rate`
(/min), `consciousness` (ACVPU letter), `temperature_c` or `temperature_f`, `encounter_class`
(FHIR Encounter.class code). Each value becomes one LOINC-coded Observation with its UCUM unit
as recorded (`temperature_f` stays `[degF]`: the boundary's normalization converts it), the
concept its field names, and `group` = the set's id, so a set stays a set. A line that cannot be
read is one `Rejection` naming its line (or batch position), field and reason; the rest go on.

Loose FHIR Observations (the vitals API's batch) are read by `records.loose_observations`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from medlm.records.coding import CodeSystem, Coding
from medlm.records.loose_observations import read_observation_resources
from medlm.records.normalize import normalize_report
from medlm.records.observation import Observation
from medlm.records.patient import Patient
from medlm.records.patient_record import PatientRecord
from medlm.records.read import read_document
from medlm.records.report import IngestReport, Rejection
from medlm.records.timing import exact_time

SET_TYPE = "VitalSigns"  # Rejection.resource_type of a set that could not be read

_LOINC = CodeSystem.LOINC.value
_MEDLM = CodeSystem.MEDLM.value

# Field -> (coding, concept, UCUM unit as recorded), the codes of the shared value sets
# (knowledge/concepts): LOINC 9279-1 respiratory rate, 2708-6 oxygen saturation, 8480-6 systolic
# BP, 8867-4 heart rate, 8310-5 body temperature (FHIR R4 vital-signs profile), 80288-4 level of
# consciousness (a LOINC lead, unverified: see vitals.yaml); "on supplemental oxygen" and the
# NEWS2 SpO2 scale have no verified standard code and carry medlm's own (see monitor.yaml).
VITAL_FIELDS: dict[str, tuple[Coding, str, str | None]] = {
    "respiratory_rate": (Coding(system=_LOINC, code="9279-1"), "respiratory_rate", "/min"),
    "spo2": (Coding(system=_LOINC, code="2708-6"), "spo2", "%"),
    "systolic_bp": (Coding(system=_LOINC, code="8480-6"), "systolic_bp", "mm[Hg]"),
    "heart_rate": (Coding(system=_LOINC, code="8867-4"), "heart_rate", "/min"),
    "temperature_c": (Coding(system=_LOINC, code="8310-5"), "body_temperature", "Cel"),
    "temperature_f": (Coding(system=_LOINC, code="8310-5"), "body_temperature", "[degF]"),
    "consciousness": (Coding(system=_LOINC, code="80288-4"), "consciousness", None),
    "on_oxygen": (Coding(system=_MEDLM, code="supplemental-oxygen"), "supplemental_oxygen", None),
    "spo2_scale": (Coding(system=_MEDLM, code="news2-spo2-scale"), "news2_spo2_scale", None),
}
_SHORT = {
    "respiratory_rate": "rr", "spo2": "spo2", "systolic_bp": "sbp", "heart_rate": "hr",
    "temperature_c": "temp", "temperature_f": "temp", "consciousness": "acvpu",
    "on_oxygen": "o2", "spo2_scale": "scale",
}  # fmt: skip


def _finite(value: object) -> object:
    """Numbers only (not booleans or text), finite and within float range."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError("number out of range") from None
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return number


Number = Annotated[float | None, pydantic.BeforeValidator(_finite)]


class VitalLine(BaseModel):
    """One set as the JSON-lines format (and the vitals API's `vitals` items) writes it."""

    model_config = ConfigDict(extra="forbid")

    patient_id: str = Field(min_length=1, max_length=64)
    time: datetime = Field(description="When the set was measured (ISO 8601 with time zone).")
    respiratory_rate: Number = None
    spo2: Number = None
    spo2_scale: Literal[1, 2] | None = None
    on_oxygen: bool | None = None
    systolic_bp: Number = None
    heart_rate: Number = None
    consciousness: Literal["A", "C", "V", "P", "U"] | None = None
    temperature_c: Number = None
    temperature_f: Number = None
    encounter_class: str | None = Field(default=None, min_length=1, max_length=16)

    @field_validator("time")
    @classmethod
    def _aware_and_in_range(cls, value: datetime) -> datetime:
        return exact_time(value)

    def observations(self, set_id: str) -> list[Observation]:
        """The set's values as Observations, grouped under `set_id`."""
        if self.temperature_c is not None and self.temperature_f is not None:
            raise ValueError("give temperature_c or temperature_f, not both")
        out: list[Observation] = []
        for name, (coding, concept, unit) in VITAL_FIELDS.items():
            value = getattr(self, name)
            if value is None:
                continue
            kind = "value_bool" if isinstance(value, bool) else "value_text"
            measured = {"value": float(value), "unit": unit} if unit else {kind: _text(value)}
            out.append(
                Observation(
                    id=f"{set_id}-{_SHORT[name]}",
                    patient_id=self.patient_id,
                    code=coding,
                    effective=self.time,
                    concept=concept,
                    encounter_class=self.encounter_class,
                    group=set_id,
                    **measured,
                )
            )
        if not any(o.concept not in ("news2_spo2_scale",) for o in out):
            raise ValueError("the set has no vital-sign values")
        return out


def _text(value: object) -> object:
    return value if isinstance(value, bool) else str(value)


_CODED_TEXT = frozenset({"consciousness"})  # fields whose text values are short codes


def _shown(err: Any) -> str | None:
    """The submitted value as an error may echo it: numbers and booleans, and short codes of a
    coded field; never free text (it may be a name), unknown fields or containers."""
    if err["type"] == "extra_forbidden":
        return None
    given = err.get("input")
    if given is None or isinstance(given, bool | int | float):
        return repr(given)[:60]
    field = str(err["loc"][0]) if err["loc"] else ""
    if isinstance(given, str) and field in _CODED_TEXT and len(given) <= 3:
        return repr(given)
    return None


def _item_rejection(position: int, item: Any, exc: pydantic.ValidationError) -> Rejection:
    """One Rejection for an unreadable set: the first bad field, every problem in the reason."""
    errors = exc.errors()
    first = errors[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    problems = []
    for err in errors:
        where = ".".join(str(p) for p in err["loc"]) or "set"
        shown = _shown(err)
        problems.append(f"{where}{'' if shown is None else '=' + shown}: {err['msg']}")
    pid = item.get("patient_id") if isinstance(item, dict) else None
    value = _shown(first)
    return Rejection(
        position=position,
        resource_type=SET_TYPE,
        patient_id=pid if isinstance(pid, str) else None,
        field=field,
        value=value,
        reason="; ".join(problems),
    )


def _set_id(position: int, prefix: str) -> str:
    return f"{prefix}{position}"


def read_vital_items(
    items: Iterable[tuple[int, Any]],
    *,
    source: str | None = None,
    prefix: str = "line",
    as_of: datetime | None = None,
    clock_skew_minutes: float = 5.0,
) -> IngestReport:
    """Records from parsed sets given with their positions (line numbers, batch indices).

    Set `i` becomes Observations grouped under `f"{prefix}{i}"`; one record per patient.
    """
    report = IngestReport(source=source)
    by_patient: dict[str, list[Observation]] = {}
    counter = report.count(SET_TYPE)
    for position, item in items:
        try:
            line = VitalLine.model_validate(item)
            observations = line.observations(_set_id(position, prefix))
        except pydantic.ValidationError as exc:
            report.rejections.append(_item_rejection(position, item, exc))
            counter.rejected += 1
            continue
        except ValueError as exc:
            report.rejections.append(
                Rejection(
                    position=position,
                    resource_type=SET_TYPE,
                    patient_id=line.patient_id,
                    time=line.time,
                    reason=str(exc),
                )
            )
            counter.rejected += 1
            continue
        by_patient.setdefault(line.patient_id, []).extend(observations)
        counter.accepted += 1
    report.records = [
        PatientRecord(patient=Patient(id=pid), observations=obs) for pid, obs in by_patient.items()
    ]
    before = len(report.rejections)
    report = normalize_report(report, as_of=as_of, clock_skew_minutes=clock_skew_minutes)
    report.rejections[before:] = [_in_set_terms(r, prefix) for r in report.rejections[before:]]
    return report


def _in_set_terms(rejection: Rejection, prefix: str) -> Rejection:
    """A boundary rejection of one value, placed at its set's position and named by its field
    (`heart_rate`, not `Observation.valueQuantity.value`); the reason keeps the detail."""
    rid = rejection.resource_id or ""
    set_id, _, short = rid.rpartition("-")
    if not set_id.startswith(prefix) or not set_id[len(prefix) :].isdigit():
        return rejection
    names = [name for name, code in _SHORT.items() if code == short]
    return rejection.model_copy(
        update={"position": int(set_id[len(prefix) :]), "field": names[0] if names else None}
    )


def parse_lines(lines: Iterable[str]) -> tuple[list[tuple[int, Any]], list[Rejection]]:
    """Each non-blank line as (1-based line number, parsed JSON), and the lines that are not
    JSON objects as Rejections."""
    items: list[tuple[int, Any]] = []
    rejections: list[Rejection] = []
    for line_no, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            reason = f"not valid JSON ({exc.msg})"
        except RecursionError:
            reason = "not valid JSON (nested too deeply)"
        else:
            if isinstance(data, dict):
                items.append((line_no, data))
                continue
            reason = f"expected a JSON object, got {type(data).__name__}"
        rejections.append(Rejection(position=line_no, resource_type=SET_TYPE, reason=reason))
    return items, rejections


def read_vital_lines(
    lines: Iterable[str],
    *,
    source: str | None = None,
    as_of: datetime | None = None,
    clock_skew_minutes: float = 5.0,
) -> IngestReport:
    """Records from JSON lines (one set per line); a bad line is a Rejection at its line."""
    items, bad = parse_lines(lines)
    report = read_vital_items(
        items, source=source, as_of=as_of, clock_skew_minutes=clock_skew_minutes
    )
    report.count(SET_TYPE).rejected += len(bad)
    report.rejections = sorted(
        [*bad, *report.rejections], key=lambda r: -1 if r.position is None else r.position
    )
    return report


def read_vital_text(
    text: str,
    *,
    source: str | None = None,
    as_of: datetime | None = None,
    clock_skew_minutes: float = 5.0,
) -> tuple[IngestReport, bool]:
    """Vital signs from text: a FHIR document (a Bundle, or one Observation) or JSON lines.

    Returns the report and whether the text was JSON lines (scored line by line)."""
    stripped = text.strip()
    document: Any = None
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError):
            document = None
    if isinstance(document, dict) and "resourceType" in document:
        if document["resourceType"] == "Bundle":
            return read_document(document, source=source, as_of=as_of), False
        return read_observation_resources([document], source=source, as_of=as_of), False
    lines = text.splitlines()
    report = read_vital_lines(
        lines, source=source, as_of=as_of, clock_skew_minutes=clock_skew_minutes
    )
    return report, True
