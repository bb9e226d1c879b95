"""Glucose readings as JSON lines (`{"patient_id", "time", "glucose", "unit"}`) to readings.

`read_glucose_text` also takes a FHIR Bundle or one Observation (the records boundary's FHIR
reader, then `medlm.monitor.glucose.observations`); the rest of this docstring is the lines.

One JSON object per line: `patient_id`, `time` (ISO 8601 with a time zone), `glucose` (a number),
`unit` ("mg/dL" or "mmol/L"; nothing else, and never guessed) and optionally `source` (the kind
of sample: cgm, capillary, venous, plasma, blood, unknown; default unknown). Each line becomes one
glucose Observation and goes through the records boundary (`normalize_report`): the conversion
to mg/dL through the concept's cited molar mass, the plausibility range and the future-time
check are the boundary's, as for every other source. A line that cannot be read is one
`Rejection` naming its line, field and value; the rest go on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from medlm.monitor.glucose.observations import GLUCOSE, GlucoseIngest, glucose_readings
from medlm.monitor.glucose.readings import GlucoseSource
from medlm.records.coding import CodeSystem, Coding
from medlm.records.loose_observations import read_observation_resources
from medlm.records.normalize import normalize_report
from medlm.records.observation import Observation
from medlm.records.patient import Patient
from medlm.records.patient_record import PatientRecord
from medlm.records.read import read_document
from medlm.records.report import IngestReport, Rejection
from medlm.records.timing import exact_time
from medlm.records.vital_lines import parse_lines

LINE_TYPE = "Glucose"  # Rejection.resource_type of a line that could not be read
GlucoseLines = GlucoseIngest  # `.readings` and `.report`

# A line's reading carries medlm's own code: the concept (not a LOINC code) says what it is, and
# the line's `source`, not a code, says the kind of sample.
_CODE = Coding(system=CodeSystem.MEDLM.value, code="glucose-reading")
_FIELDS = {"Observation.valueQuantity.value": "glucose", "Observation.valueQuantity.unit": "unit"}


def _finite(value: object) -> float:
    """A number (not a boolean or text), finite and within float range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a number")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError("number out of range") from None
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return number


class GlucoseLine(BaseModel):
    """One reading as the JSON-lines format (and the glucose API's `readings` items) writes it."""

    model_config = ConfigDict(extra="forbid")

    patient_id: str = Field(min_length=1, max_length=64)
    time: datetime = Field(description="When it was measured (ISO 8601 with time zone).")
    glucose: Annotated[float, pydantic.BeforeValidator(_finite)] = Field(gt=0)
    unit: Literal["mg/dL", "mmol/L"]
    source: GlucoseSource = "unknown"

    @field_validator("time")
    @classmethod
    def _aware_and_in_range(cls, value: datetime) -> datetime:
        return exact_time(value)

    def observation(self, reading_id: str) -> Observation:
        """The reading as a glucose Observation in the unit it was given in."""
        return Observation(
            id=reading_id,
            patient_id=self.patient_id,
            code=_CODE,
            value=self.glucose,
            unit=self.unit,
            effective=self.time,
            concept=GLUCOSE,
        )


def read_glucose_items(
    items: Iterable[tuple[int, Any]],
    *,
    source: str | None = None,
    prefix: str = "line",
    as_of: datetime | None = None,
    clock_skew_minutes: float = 5.0,
) -> GlucoseIngest:
    """Readings from parsed items given with their positions (line numbers, batch indices).

    Item `i` becomes the Observation `f"{prefix}{i}"`; rejections carry the item's position.
    """
    report = IngestReport(source=source)
    counter = report.count(LINE_TYPE)
    by_patient: dict[str, list[Observation]] = {}
    sources: dict[str, GlucoseSource] = {}
    for position, item in items:
        try:
            line = GlucoseLine.model_validate(item)
        except pydantic.ValidationError as exc:
            report.rejections.append(_item_rejection(position, item, exc))
            counter.rejected += 1
            continue
        reading_id = f"{prefix}{position}"
        by_patient.setdefault(line.patient_id, []).append(line.observation(reading_id))
        sources[reading_id] = line.source
        counter.accepted += 1
    report.records = [
        PatientRecord(patient=Patient(id=pid), observations=obs) for pid, obs in by_patient.items()
    ]
    before = len(report.rejections)
    report = normalize_report(report, as_of=as_of, clock_skew_minutes=clock_skew_minutes)
    report.rejections[before:] = [_in_line_terms(r, prefix) for r in report.rejections[before:]]
    removed = len(report.rejections) - before  # the boundary counted them as Observations
    counter.accepted, counter.rejected = counter.accepted - removed, counter.rejected + removed
    report.counts.pop("Observation", None)
    return glucose_readings(report, sources=sources)


def read_glucose_lines(
    lines: Iterable[str],
    *,
    source: str | None = None,
    as_of: datetime | None = None,
    clock_skew_minutes: float = 5.0,
) -> GlucoseIngest:
    """Readings from JSON lines (one reading per line); a bad line is a Rejection at its line."""
    items, bad = parse_lines(lines)
    result = read_glucose_items(
        items, source=source, as_of=as_of, clock_skew_minutes=clock_skew_minutes
    )
    report = result.report
    report.count(LINE_TYPE).rejected += len(bad)
    relabelled = [r.model_copy(update={"resource_type": LINE_TYPE}) for r in bad]
    report.rejections = sorted(
        [*relabelled, *report.rejections], key=lambda r: -1 if r.position is None else r.position
    )
    return result


def read_glucose_text(
    text: str,
    *,
    source: str | None = None,
    as_of: datetime | None = None,
    clock_skew_minutes: float = 5.0,
) -> GlucoseIngest:
    """Readings from text: a FHIR document (a Bundle, such as the HL7 CGM implementation guide's
    data submission Bundle, or one Observation) or JSON lines (one reading per line)."""
    stripped = text.strip()
    document: Any = None
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError):
            document = None
    if isinstance(document, dict) and "resourceType" in document:
        if document["resourceType"] == "Bundle":
            return glucose_readings(read_document(document, source=source, as_of=as_of))
        return glucose_readings(read_observation_resources([document], source=source, as_of=as_of))
    return read_glucose_lines(
        text.splitlines(), source=source, as_of=as_of, clock_skew_minutes=clock_skew_minutes
    )


def _item_rejection(position: int, item: Any, exc: pydantic.ValidationError) -> Rejection:
    """One Rejection for an unreadable line: the first bad field, every problem in the reason."""
    errors = exc.errors()
    first = errors[0]
    problems = []
    for err in errors:
        where = ".".join(str(p) for p in err["loc"]) or "line"
        shown = "" if err["type"] == "extra_forbidden" else f"={err.get('input')!r:.60}"
        problems.append(f"{where}{shown}: {err['msg']}")
    pid = item.get("patient_id") if isinstance(item, dict) else None
    value = None if first["type"] == "extra_forbidden" else repr(first.get("input"))[:80]
    return Rejection(
        position=position,
        resource_type=LINE_TYPE,
        patient_id=pid if isinstance(pid, str) else None,
        field=".".join(str(p) for p in first["loc"]) or None,
        value=value,
        reason="; ".join(problems),
    )


def _in_line_terms(rejection: Rejection, prefix: str) -> Rejection:
    """A boundary rejection (implausible value, future time) placed at its line and named by the
    line's field (`glucose`, `time`); the reason keeps the detail."""
    rid = rejection.resource_id or ""
    if not rid.startswith(prefix) or not rid[len(prefix) :].isdigit():
        return rejection
    path = rejection.field or ""
    field = _FIELDS.get(path, "time" if "effective" in path else None)
    return rejection.model_copy(
        update={"position": int(rid[len(prefix) :]), "resource_type": LINE_TYPE, "field": field}
    )
