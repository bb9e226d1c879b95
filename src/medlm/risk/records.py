"""Patient records → model input rows: each column read by concept, at an as-of time, in its unit.

A record becomes one row of the model's columns (see `medlm.risk.columns` for where each
column's value comes from). Age is computed at the as-of time from the birth date. A value is
used only when it is known at the as-of time, fresh (the concept's freshness window), a
measurement rather than a bound ('>60'), and in the model's unit or explicitly converted to it
(`medlm.records.units`); otherwise the column is missing and a note says why. The columns a
record lacks are imputed by the model's pipeline from training data, never guessed here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from medlm.errors import UnitError
from medlm.records import Observation, PatientRecord
from medlm.records.timing import Reading, freshness_window, latest_reading
from medlm.risk.columns import ColumnSource, RecordMapping, mapping_for_columns
from medlm.risk.facts import record_fact

__all__ = [
    "RecordMapping",
    "RecordRow",
    "mapping_for_columns",
    "record_row",
]

_MISSING = float("nan")
_REFERENCE = re.compile(r"^[A-Za-z]+/[^\s/]+$")  # a FHIR reference, not a medication's label


class RecordRow(NamedTuple):
    """One record as a model row, with what it lacked and why."""

    values: dict[str, Any]
    missing: list[str]  # model columns without a usable value (imputed by the model)
    evidence: list[str]  # references of the record entries the values came from
    notes: list[str]  # why a value the record holds was not used, or could not be checked
    inputs: dict[str, list[str]]  # column -> references its value came from


def record_row(
    record: PatientRecord,
    mapping: RecordMapping,
    columns: Sequence[str],
    *,
    as_of: datetime,
    freshness_days: Mapping[str, float] | None = None,
) -> RecordRow:
    """One record as a model row at `as_of` (aware), the columns it lacked and why."""
    row: dict[str, Any] = dict.fromkeys(columns, _MISSING)
    inputs: dict[str, list[str]] = {}
    notes: list[str] = []
    undated: list[str] = []
    if mapping.age_column in row:
        age = record.patient.age_on(as_of.date())
        if age is not None:
            row[mapping.age_column] = age
            inputs[mapping.age_column] = [f"Patient/{record.patient.id}"]
    if mapping.sex_column in row:
        row[mapping.sex_column] = mapping.sex_values.get(record.patient.sex.value, _MISSING)
    for column, source in mapping.columns.items():
        if column not in row:
            continue
        reading = _reading(record, column, source, as_of, freshness_days or {})
        if reading.observation is None and source.from_record is not None:
            # no value under the dataset's own code: read the fact from the record's problems,
            # medications or smoking status
            fact = record_fact(record, source.from_record, as_of, column)
            if fact.note:
                notes.append(fact.note)
            if fact.value is not None:
                row[column] = fact.value
                inputs[column] = fact.evidence
            continue
        if reading.observation is None:
            if reading.stale is not None and reading.note:
                notes.append(f"{column}: {reading.note}")
            elif source.unlike and record.observations_of(source.unlike):
                notes.append(_unlike_note(column, source))
            continue
        if reading.observation.effective is None:
            undated.append(column)
        value, note = column_value(column, source, reading.observation)
        if note is not None:
            notes.append(note)
            continue
        row[column] = value
        obs_id = reading.observation.id
        inputs[column] = [f"Observation/{obs_id}"] if obs_id else []
    if undated:
        notes.append(f"undated values used (their age could not be checked): {', '.join(undated)}")
    missing = [c for c, v in row.items() if isinstance(v, float) and v != v]
    evidence = list(dict.fromkeys(ref for refs in inputs.values() for ref in refs))
    evidence = [r for r in evidence if _REFERENCE.match(r) and not r.startswith("Patient/")]
    return RecordRow(row, missing, evidence, notes, inputs)


def _reading(
    record: PatientRecord,
    column: str,
    source: ColumnSource,
    as_of: datetime,
    overrides: Mapping[str, float],
) -> Reading:
    """The latest usable value for a column: by shared concept, else by system AND code."""
    window = freshness_window(source.concept, overrides) if source.concept else None
    if source.concept is not None:
        reading = latest_reading(
            record, source.concept, as_of=as_of, freshness_days=window, label=column
        )
        if reading.observation is not None or reading.stale is not None:
            return reading
    if source.system is None or source.code is None:
        return Reading(None, None, None)
    # The column's own coding; for a shared concept only where the boundary set no concept.
    tag = f"{source.system}|{source.code}"
    coded = [
        o.model_copy(update={"concept": tag})
        for o in record.observations
        if o.code.system == source.system
        and o.code.code == source.code
        and (o.concept is None or source.concept is None)
    ]
    view = record.model_copy(update={"observations": coded})
    return latest_reading(view, tag, as_of=as_of, freshness_days=window, label=column)


def column_value(column: str, source: ColumnSource, obs: Observation) -> tuple[Any, str | None]:
    """The Observation's value for the column, in the model's unit; or NaN and the reason."""
    if obs.comparator is not None:
        # None of the registered models was trained on censored values: a bound is not a value.
        shown = f"{obs.comparator}{obs.value:g} {obs.unit or ''}".strip()
        return _MISSING, f"{column}: recorded as '{shown}', a bound, not a measurement; not used"
    if source.unit is None:
        value = obs.value_text if obs.value_text is not None else obs.value
        if value is None:
            return _MISSING, f"{column}: the Observation holds no coded or text value; not used"
        return value, None
    number, unit = obs.value, obs.unit
    if number is None and obs.value_bool is not None and source.unit == "1":
        number, unit = float(obs.value_bool), "1"
    if number is None or unit is None:
        return _MISSING, f"{column}: the Observation holds no numeric value; not used"
    if unit == source.unit:
        return number, None
    return _converted(column, source, number, unit)


def _converted(
    column: str, source: ColumnSource, number: float, unit: str
) -> tuple[Any, str | None]:
    """The value in the model's unit: the concept's cited conversion, else plain UCUM."""
    from medlm.knowledge.concepts import load_concepts
    from medlm.records import units

    assert source.unit is not None
    library = load_concepts()
    try:
        if source.concept is not None and source.concept in library.observations:
            concept = library.observation(source.concept)
            return units.convert_concept(concept, number, unit, source.unit), None
        return units.convert(number, unit, source.unit), None
    except UnitError as exc:
        return _MISSING, (
            f"{column}: {number:g} {unit} cannot be converted to the model's {source.unit} "
            f"({exc}); not used"
        )


def _unlike_note(column: str, source: ColumnSource) -> str:
    name = (source.unlike or "").replace("_", " ")
    what = f" ({source.display})" if source.display else ""
    return (
        f"{column}: the record holds a {name}, but this model's {column} is another "
        f"measure{what}; the {name} is not used for it"
    )
