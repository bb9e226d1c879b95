"""Vital-sign sets built from record Observations, by concept, in the boundary's canonical units.

The records boundary (`medlm.records`) reads every source and converts each vital sign to its
concept's canonical unit; this module only gathers a patient's values taken at one time into a
`VitalSigns` set. A value in any other unit, a bound instead of a measurement, an unreadable
ACVPU level, a missing time, or a second different value for the same parameter and time is a
`Rejection` with the reason: nothing is converted or guessed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from medlm.knowledge.early_warning import load_news2
from medlm.monitor.vitals import Consciousness, VitalSigns
from medlm.records import Observation, PatientRecord, Rejection

# Concept -> (VitalSigns field, the canonical UCUM unit the boundary converts it to); the
# concepts and units are the shared vocabulary's (knowledge/concepts).
NUMERIC: dict[str, tuple[str, str]] = {
    "respiratory_rate": ("respiratory_rate", "/min"),
    "spo2": ("spo2", "%"),
    "systolic_bp": ("systolic_bp", "mm[Hg]"),
    "heart_rate": ("heart_rate", "/min"),
    "body_temperature": ("temperature_c", "Cel"),
}
OXYGEN_FLOW = ("oxygen_flow", "L/min")
INSPIRED_OXYGEN = ("inspired_oxygen", "%")
# Room air is 20.95 % oxygen by volume (dry air; U.S. Standard Atmosphere, 1976, table 3): an
# inspired fraction above 21 % means supplemental oxygen. A physical fact, not a clinical cut-off.
ROOM_AIR_OXYGEN_PERCENT = 21.0
# ACVPU: the level letter, or the word a record may carry (RCP NEWS2 2017, Chart 1).
_ACVPU_WORDS = {
    "alert": "A", "confusion": "C", "new confusion": "C", "voice": "V", "pain": "P",
    "unresponsive": "U",
}  # fmt: skip
MONITOR_CONCEPTS = frozenset(
    {*NUMERIC, "consciousness", "supplemental_oxygen", "news2_spo2_scale",
     OXYGEN_FLOW[0], INSPIRED_OXYGEN[0]}
)  # fmt: skip

_Key = tuple[str, datetime]


# Vital signs NEWS2 does not score, which a set may carry without being refused.
_NOT_SCORED = frozenset({"diastolic_bp"})


def vital_sets(
    records: Iterable[PatientRecord], *, strict: bool = False
) -> tuple[list[VitalSigns], list[Rejection]]:
    """Every patient's vital-sign sets (one per patient and time), oldest first.

    A set taken before the patient was NEWS2's minimum age (a birth date is known) is a
    rejection: NEWS2 is not validated in children (RCP 2017), so no score is given for it.
    """
    records = list(records)
    sets, rejected = build_sets((o for r in records for o in r.observations), strict=strict)
    min_age = load_news2().min_age_years
    patients = {r.patient.id: r.patient for r in records}
    kept: list[VitalSigns] = []
    too_young: dict[str, list[VitalSigns]] = {}
    for vitals in sets:
        patient = patients.get(vitals.patient_id)
        age = patient.age_on(vitals.time.date()) if patient and patient.birth_date else None
        if age is not None and age < min_age:
            too_young.setdefault(vitals.patient_id, []).append(vitals)
        else:
            kept.append(vitals)
    for pid, young in too_young.items():
        first, last = young[0].time.date(), young[-1].time.date()
        rejected.append(
            Rejection(
                patient_id=pid,
                time=young[-1].time,
                resource_type="VitalSigns",
                field="patient.birth_date",
                value=str(patients[pid].birth_date),
                reason=f"{len(young)} set(s) from {first} to {last} were taken before the "
                f"patient was {min_age}: NEWS2 is not validated in children (RCP 2017); "
                "not scored",
            )
        )
    return kept, rejected


def build_sets(
    observations: Iterable[Observation], *, strict: bool = False
) -> tuple[list[VitalSigns], list[Rejection]]:
    """Observations grouped by patient and time into sets; unusable values are rejections.

    Observations of other concepts (labs, weight) are not the monitor's: a whole record
    leaves them aside; with `strict` (input sent as vital signs) each is a rejection."""
    fields: dict[_Key, dict[str, Any]] = {}
    sources: dict[_Key, list[str]] = {}
    rejected: list[Rejection] = []
    for obs in observations:
        if obs.concept not in MONITOR_CONCEPTS:
            if strict and obs.concept not in _NOT_SCORED:
                what = f"concept {obs.concept}" if obs.concept else f"code {obs.code}"
                rejected.append(_reject(obs, f"{what} is not a vital sign NEWS2 scores"))
            continue
        problem = _unusable(obs)
        if problem is not None:
            rejected.append(_reject(obs, problem))
            continue
        assert obs.effective is not None
        key = (obs.patient_id, obs.effective.astimezone(UTC))
        try:
            name, value = _field_value(obs)
        except ValueError as exc:
            rejected.append(_reject(obs, str(exc)))
            continue
        values = fields.setdefault(key, {})
        if name == "on_oxygen":
            values[name] = bool(values.get(name)) or value  # any oxygen source: on oxygen
        elif name in values and values[name] != value:
            rejected.append(_reject(obs, f"conflicts with {values[name]} at the same time"))
            continue
        else:
            values[name] = value
        if obs.encounter_class and "encounter_class" not in values:
            values["encounter_class"] = obs.encounter_class
        ref = _reference(obs)
        if ref is not None and ref not in sources.setdefault(key, []):
            sources[key].append(ref)
    sets = [
        VitalSigns(patient_id=pid, time=time, sources=sources.get((pid, time), []), **values)
        for (pid, time), values in sorted(fields.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    return sets, rejected


def _reference(obs: Observation) -> str | None:
    """The FHIR reference of the resource a value came from: a panel component (id
    `<panel>-<n>` in the panel's group) refers to its panel."""
    if obs.id is None:
        return None
    group = obs.group
    if group and obs.id.startswith(f"{group}-") and obs.id[len(group) + 1 :].isdigit():
        return f"Observation/{group}"
    return f"Observation/{obs.id}"


def _unusable(obs: Observation) -> str | None:
    """Why an Observation of a monitor concept cannot be used, or None."""
    if not obs.is_usable:
        return f"status {obs.status.value}: not scored"
    if obs.effective is None:
        return "has no effective time; a vital sign is scored only with its time"
    if obs.effective.tzinfo is None:
        return "time has no time zone; a stream needs an exact time"
    try:
        obs.effective.astimezone(UTC)
    except OverflowError:
        return "time is outside the range of UTC dates (years 1-9999)"
    if obs.comparator is not None:
        return f"is a bound ({obs.comparator}{obs.value:g}), not a measurement"
    return None


def _field_value(obs: Observation) -> tuple[str, Any]:
    """The VitalSigns field and value one Observation gives (ValueError if unusable)."""
    concept = obs.concept or ""
    if concept in NUMERIC:
        name, unit = NUMERIC[concept]
        return name, _number(obs, unit)
    if concept == "consciousness":
        text = (obs.value_text or "").strip()
        letter = text.upper() if len(text) == 1 else _ACVPU_WORDS.get(text.lower())
        if letter not in {c.value for c in Consciousness}:
            raise ValueError(f"consciousness {text!r} is not an ACVPU level (A, C, V, P, U)")
        return "consciousness", letter
    if concept == "supplemental_oxygen":
        if obs.value_bool is None:
            raise ValueError("supplemental oxygen needs a true/false value")
        return "on_oxygen", obs.value_bool
    if concept == "news2_spo2_scale":
        if obs.value_text not in ("1", "2"):
            raise ValueError(f"NEWS2 SpO2 scale {obs.value_text!r} is not 1 or 2")
        return "spo2_scale", int(obs.value_text)
    if concept == OXYGEN_FLOW[0]:
        return "on_oxygen", _number(obs, OXYGEN_FLOW[1]) > 0
    return "on_oxygen", _number(obs, INSPIRED_OXYGEN[1]) > ROOM_AIR_OXYGEN_PERCENT


def _number(obs: Observation, unit: str) -> float:
    if obs.value is None:
        raise ValueError(f"{obs.concept} has no numeric value")
    if obs.unit != unit:
        raise ValueError(
            f"{obs.concept}={obs.value:g} has unit {obs.unit!r}, not the canonical {unit!r} "
            "the records boundary converts to"
        )
    if obs.original_unit is not None and obs.original_unit != obs.unit:
        # A converted value carries float noise (100.4 [degF] -> 38.00000000000006 Cel) that
        # would cross a NEWS2 band edge the recorded value sits on: read it to 10 digits.
        return float(f"{obs.value:.10g}")
    return obs.value


def _reject(obs: Observation, reason: str) -> Rejection:
    shown = obs.value_text if obs.value is None else f"{obs.value:g} {obs.unit or ''}".strip()
    return Rejection(
        resource_id=obs.id,
        resource_type="Observation",
        patient_id=obs.patient_id,
        field=obs.concept or "Observation.code",
        value=None if shown is None else str(shown),
        time=obs.effective,
        reason=f"Observation/{obs.id or '?'} {obs.concept or obs.code.code}: {reason}",
    )
