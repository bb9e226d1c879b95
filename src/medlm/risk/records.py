"""Patient records → model input rows, using the column ↔ code map a model was trained with.

A model trained on a registered dataset (or a CSV with the same columns) knows which coded
Observation feeds each column; a record then becomes one row, and the columns it lacks are
reported as missing (the pipeline imputes them from training data, never guessed here).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import Any

from pydantic import BaseModel, Field

from medlm.records import PatientRecord

# Registered datasets whose record converters define the column ↔ code map.
_TABLE_MAPS = {
    "pima": ("medlm.datasets.pima", "TABLE_MAP"),
    "uci-heart": ("medlm.datasets.cardio", "UCI_MAP"),
    "framingham": ("medlm.datasets.cardio", "FRAMINGHAM_MAP"),
    "heart-failure": ("medlm.datasets.cardio", "HEART_FAILURE_MAP"),
}


class RecordMapping(BaseModel):
    """Which record field feeds each model column."""

    dataset: str
    codes: dict[str, str] = Field(description="column -> Observation code")
    units: dict[str, str] = Field(default_factory=dict)
    age_column: str | None = None
    sex_column: str | None = None
    sex_values: dict[str, Any] = Field(
        default_factory=dict, description="record sex ('male'/'female') -> training value"
    )


def mapping_for_columns(
    columns: Sequence[str], sex_examples: Sequence[Any] = ()
) -> RecordMapping | None:
    """The mapping of the registered dataset whose columns are all among `columns`, if any."""
    from medlm.datasets.codes import concept

    for dataset, (module, attribute) in _TABLE_MAPS.items():
        table_map = getattr(import_module(module), attribute, None)
        if table_map is None:
            continue
        observed = [c.column for c in table_map.observations]
        needed = set(observed) | {table_map.age_column} - {None}
        if not needed or not needed <= set(columns):
            continue
        codes, units = {}, {}
        for column in table_map.observations:
            spec = concept(column.concept)
            codes[column.column] = spec.coding.code
            if spec.unit:
                units[column.column] = spec.unit
        sex_column = table_map.sex_column if table_map.sex_column in columns else None
        return RecordMapping(
            dataset=dataset,
            codes=codes,
            units=units,
            age_column=table_map.age_column,
            sex_column=sex_column,
            sex_values=_sex_values(sex_examples),
        )
    return None


def _sex_values(examples: Sequence[Any]) -> dict[str, Any]:
    values = {str(v) for v in examples}
    if values <= {"0", "1"}:
        return {"male": 1, "female": 0}
    if values <= {"Male", "Female"}:
        return {"male": "Male", "female": "Female"}
    return {}


def record_row(
    record: PatientRecord, mapping: RecordMapping, columns: Sequence[str]
) -> tuple[dict[str, Any], list[str], list[str]]:
    """One record as a model row, the model columns it lacked, and the Observation ids used."""
    row: dict[str, Any] = dict.fromkeys(columns, float("nan"))
    used: list[str] = []
    if mapping.age_column in row and record.patient.age is not None:
        row[mapping.age_column] = record.patient.age
    if mapping.sex_column in row:
        row[mapping.sex_column] = mapping.sex_values.get(record.patient.sex.value, float("nan"))
    for column, code in mapping.codes.items():
        if column not in row:
            continue
        matches = [o for o in record.observations if o.code.code == code]
        if not matches:
            continue
        latest = max(matches, key=lambda o: (o.effective is not None, o.effective or 0))
        row[column] = latest.value if latest.value is not None else latest.value_text
        if latest.id:
            used.append(latest.id)
    missing = [c for c, v in row.items() if isinstance(v, float) and v != v]
    return row, missing, used
