"""Vital-sign inputs: JSON lines, FHIR R4 Observations (LOINC) and medlm Observation records.

Every source becomes `VitalSigns` sets. Units are converted explicitly (degF to degC); an
unknown code or unit is reported with the record and field it came from, never guessed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from medlm.errors import InputError, UnitError, ValidationError
from medlm.monitor.vitals import Rejection, VitalSigns
from medlm.records import CodeSystem, Coding, Observation

# LOINC code -> (VitalSigns field, accepted UCUM units). Codes: FHIR R4 vital-signs profile
# (hl7.org/fhir/R4/observation-vitalsigns.html); 59408-5 is the pulse-oximetry code US Core uses.
LOINC_VITALS: dict[str, tuple[str, tuple[str, ...]]] = {
    "9279-1": ("respiratory_rate", ("/min", "{breaths}/min")),
    "8867-4": ("heart_rate", ("/min", "{beats}/min")),
    "2708-6": ("spo2", ("%",)),
    "59408-5": ("spo2", ("%",)),
    "8310-5": ("temperature_c", ("Cel", "[degF]")),
    "8480-6": ("systolic_bp", ("mm[Hg]",)),
}
BP_PANEL = "85354-9"  # blood pressure panel; systolic 8480-6 and diastolic 8462-4 as components
DIASTOLIC = "8462-4"  # read but not scored by NEWS2


def fahrenheit_to_celsius(value: float) -> float:
    """degF to degC, rounded to 0.1 degC (the resolution NEWS2 bands use)."""
    return round((value - 32.0) * 5.0 / 9.0, 1)


def to_field_value(field: str, value: float, unit: str | None, *, record: str) -> float:
    """Convert a measured value to the unit its VitalSigns field uses; UnitError otherwise."""
    if field == "temperature_c":
        if unit == "Cel":
            return value
        if unit == "[degF]":
            return fahrenheit_to_celsius(value)
    for _code, (name, units) in LOINC_VITALS.items():
        if name == field and unit in units:
            return value
    raise UnitError(f"{record}: {field} has unit {unit!r}, not one medlm accepts", record=record)


def _fahrenheit_field(value: object, patient_id: object, line_no: int) -> float:
    """`temperature_f` as degC; a non-number or non-finite value is a ValidationError."""
    record = patient_id if isinstance(patient_id, str) else None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = None
    if number is None or not math.isfinite(number):
        raise ValidationError(
            f"line {line_no} (patient {record}): temperature_f={value!r:.60}: "
            "expected a finite number in degF",
            record=record,
            field="temperature_f",
        )
    return fahrenheit_to_celsius(number)


def parse_json_line(text: str, line_no: int) -> VitalSigns:
    """One JSON object -> VitalSigns. `temperature_f` is accepted and converted to degC."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {line_no}: not valid JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise InputError(f"line {line_no}: expected a JSON object, got {type(data).__name__}")
    if "temperature_f" in data:
        if data.get("temperature_c") is not None:
            raise ValidationError(
                f"line {line_no}: give temperature_c or temperature_f, not both",
                field="temperature_f",
            )
        fahrenheit = data.pop("temperature_f")
        if fahrenheit is not None:
            data["temperature_c"] = _fahrenheit_field(fahrenheit, data.get("patient_id"), line_no)
    try:
        return VitalSigns.model_validate(data)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'record'}={err.get('input')!r}: {err['msg']}"
            for err in exc.errors()
        )
        pid = data.get("patient_id")
        raise ValidationError(f"line {line_no} (patient {pid}): {problems}", record=pid) from exc


def read_json_lines(lines: Iterable[str]) -> Iterator[tuple[int, VitalSigns | InputError]]:
    """Each non-blank line as (line number, set or the error that line raised), in order."""
    for line_no, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            yield line_no, parse_json_line(text, line_no)
        except InputError as exc:
            yield line_no, exc


def _patient_id(reference: str | None, resource_id: str) -> str:
    if not reference:
        raise ValidationError(f"Observation/{resource_id}: subject is missing", field="subject")
    return reference.rsplit("/", 1)[-1]


def _loinc(codeable: Any) -> list[str]:
    return [c.code for c in (codeable.coding or []) if c.system == CodeSystem.LOINC.value]


def observations_from_fhir(resources: Iterable[dict[str, Any]]) -> list[Observation]:
    """FHIR R4 Observation resources -> medlm Observations (BP panel split into components)."""
    from fhir.resources.R4B.observation import Observation as FhirObservation

    out: list[Observation] = []
    for raw in resources:
        rid = str(raw.get("id", "?"))
        try:
            fhir = FhirObservation.model_validate(raw)
        except PydanticValidationError as exc:
            raise ValidationError(
                f"Observation/{rid}: not a valid FHIR R4 Observation: {exc}"
            ) from exc
        pid = _patient_id(fhir.subject.reference if fhir.subject else None, rid)
        effective = fhir.effectiveDateTime
        parts: list[tuple[list[str], Any]] = []
        if BP_PANEL in _loinc(fhir.code):
            parts = [(_loinc(c.code), c.valueQuantity) for c in (fhir.component or [])]
        else:
            parts = [(_loinc(fhir.code), fhir.valueQuantity)]
        for codes, quantity in parts:
            code = next((c for c in codes if c in LOINC_VITALS or c == DIASTOLIC), None)
            if code is None:
                raise ValidationError(
                    f"Observation/{rid}: LOINC codes {codes} are not vital signs medlm scores",
                    record=pid,
                    field="code",
                )
            if quantity is None or quantity.value is None:
                raise ValidationError(f"Observation/{rid}: {code} has no valueQuantity", record=pid)
            out.append(
                Observation(
                    id=rid,
                    patient_id=pid,
                    code=Coding(system=CodeSystem.LOINC, code=code),
                    value=float(quantity.value),
                    unit=quantity.code or quantity.unit,
                    effective=effective,
                )
            )
    return out


def vitals_from_observations(
    observations: Iterable[Observation],
) -> tuple[list[VitalSigns], list[Rejection]]:
    """Group Observations by patient and time into sets; unusable ones become rejections."""
    sets: dict[tuple[str, datetime], dict[str, Any]] = {}
    rejected: list[Rejection] = []
    for obs in observations:
        where = f"Observation/{obs.id or '?'} of {obs.patient_id}"

        def reject(reason: str, obs: Observation = obs) -> None:
            rejected.append(
                Rejection(
                    patient_id=obs.patient_id,
                    time=obs.effective,
                    parameter=obs.code.code,
                    value=str(obs.value),
                    reason=reason,
                )
            )

        if obs.code.code == DIASTOLIC:
            continue  # part of the BP panel, not a NEWS2 parameter
        if obs.code.system != CodeSystem.LOINC.value or obs.code.code not in LOINC_VITALS:
            reject(f"{where}: code {obs.code} is not a vital sign medlm scores")
            continue
        if obs.effective is None or obs.value is None:
            reject(f"{where}: needs an effective time and a numeric value")
            continue
        field = LOINC_VITALS[obs.code.code][0]
        try:
            value = to_field_value(field, obs.value, obs.unit, record=where)
        except UnitError as exc:
            reject(str(exc))
            continue
        sets.setdefault((obs.patient_id, obs.effective), {})[field] = value
    vitals = [
        VitalSigns(patient_id=pid, time=time, **fields)
        for (pid, time), fields in sorted(sets.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    return vitals, rejected


class ItemError(BaseModel):
    """A batch item that could not be read: which list, which position, and why."""

    source: str
    index: int
    error: str


def parse_batch(
    vitals: list[dict[str, Any]], observations: list[dict[str, Any]]
) -> tuple[list[VitalSigns], list[Rejection], list[ItemError]]:
    """Read each item on its own: good ones become sets, bad ones are reported by position."""
    sets: list[VitalSigns] = []
    errors: list[ItemError] = []
    for index, item in enumerate(vitals):
        try:
            sets.append(VitalSigns.model_validate(item))
        except PydanticValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}={e.get('input')!r}: {e['msg']}"
                for e in exc.errors()
            )
            errors.append(ItemError(source="vitals", index=index, error=problems))
    parsed: list[Observation] = []
    for index, resource in enumerate(observations):
        try:
            parsed += observations_from_fhir([resource])
        except InputError as exc:
            errors.append(ItemError(source="observations", index=index, error=str(exc)))
    from_fhir, rejected = vitals_from_observations(parsed)
    return [*sets, *from_fhir], rejected, errors
