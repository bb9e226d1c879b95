"""Record conversion: one patient per row of a wide table, columns mapped to Observations."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from medlm.datasets.codes import concept
from medlm.errors import ValidationError
from medlm.records import MedicationStatement, Observation, Patient, PatientRecord, Sex

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class ConceptColumn:
    """A column that becomes one Observation per row, coded by a codes.yaml concept.

    A missing value (NaN/None) gives no Observation. Numeric columns take the concept's unit;
    text columns (concept unit null) become `value_text`. Booleans are stored as 1/0. A concept
    with a `shared` key gives its Observations that vocabulary concept (its unit in codes.yaml is
    the concept's canonical unit), as the records boundary would.
    """

    column: str
    concept: str


@dataclass(frozen=True)
class PatientTableMap:
    """How the rows of one patient-level table become PatientRecords."""

    id_prefix: str
    id_column: str | None  # None: the 1-based row number is the id
    observations: Sequence[ConceptColumn]
    age_column: str | None = None
    sex: Callable[[Any], Sex] | None = None
    sex_column: str | None = None
    medications: Callable[[str, Any], list[MedicationStatement]] | None = None
    medication_column: str | None = None

    def patient_id(self, row_number: int, row: Any) -> str:
        key = row_number if self.id_column is None else row[self.id_column]
        return f"{self.id_prefix}-{int(key):04d}"


def is_missing(value: Any) -> bool:
    """True for None and NaN (pandas uses both for 'no value')."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _observation(pid: str, column: ConceptColumn, value: Any, index: int) -> Observation:
    spec = concept(column.concept)
    obs_id = f"{pid}-{column.concept}"
    if spec.unit is None:
        return Observation(id=obs_id, patient_id=pid, code=spec.coding, value_text=str(value))
    if isinstance(value, bool):
        value = int(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(
            f"row {index}: column {column.column!r} value {value!r} is not a number",
            record=pid,
            field=column.column,
        ) from None
    return Observation(
        id=obs_id,
        patient_id=pid,
        code=spec.coding,
        value=number,
        unit=spec.unit,
        concept=spec.shared,
    )


def row_to_record(table_map: PatientTableMap, row_number: int, row: Any) -> PatientRecord:
    """One table row (a pandas row or mapping) as a PatientRecord."""
    pid = table_map.patient_id(row_number, row)
    age = None
    if table_map.age_column is not None and not is_missing(row[table_map.age_column]):
        age = float(row[table_map.age_column])
    sex = Sex.UNKNOWN
    if table_map.sex is not None:
        sex = table_map.sex(row[table_map.sex_column] if table_map.sex_column else None)
    observations = [
        _observation(pid, col, row[col.column], row_number)
        for col in table_map.observations
        if not is_missing(row[col.column])
    ]
    medications: list[MedicationStatement] = []
    if table_map.medications is not None and table_map.medication_column is not None:
        medications = table_map.medications(pid, row[table_map.medication_column])
    return PatientRecord(
        patient=Patient(id=pid, age=age, sex=sex),
        observations=observations,
        medication_statements=medications,
    )


def table_to_records(table_map: PatientTableMap, frame: pd.DataFrame) -> list[PatientRecord]:
    """Every row of `frame` as a PatientRecord, in row order."""
    rows = frame.to_dict(orient="records")
    return [
        row_to_record(table_map, int(position) + 1, row)
        for position, row in zip(frame.index, rows, strict=True)
    ]
