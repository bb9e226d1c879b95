"""Which record value feeds each model column: a shared concept, or a dataset's own code.

A column of a registered dataset whose codes.yaml entry names a `shared` concept (UCI `chol` is
total_cholesterol) reads that concept from any record, in the concept's canonical unit, and
converts it to the unit the model was trained in. A dataset-specific measure (Pima's 2-hour
OGTT glucose, `urn:medlm|ogtt-2h-glucose`) is read by its system AND code only. A column never
reads the concept named in `unlike` (a random glucose is not an OGTT glucose). A yes/no column
with `from_record` (Framingham prevalentHyp, BPMeds, currentSmoker ...) is read from the
record's problems, medications or smoking status (`medlm.risk.facts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Registered datasets whose record converters define the column map.
_TABLE_MAPS = {
    "pima": ("medlm.datasets.pima", "TABLE_MAP"),
    "uci-heart": ("medlm.datasets.cardio", "UCI_MAP"),
    "framingham": ("medlm.datasets.cardio", "FRAMINGHAM_MAP"),
    "heart-failure": ("medlm.datasets.cardio", "HEART_FAILURE_MAP"),
}


class ColumnSource(BaseModel):
    """Where one model column's value comes from in a record, and in which unit it is wanted."""

    model_config = ConfigDict(frozen=True)

    concept: str | None = Field(
        default=None, description="Shared vocabulary key (e.g. 'total_cholesterol')."
    )
    system: str | None = Field(default=None, description="The dataset's own code system.")
    code: str | None = Field(default=None, description="The dataset's own code.")
    unit: str | None = Field(
        default=None, description="UCUM unit the model was trained in; None for coded/text."
    )
    unlike: str | None = Field(
        default=None, description="A close but different concept that must never feed it."
    )
    display: str | None = Field(default=None, description="What the column measures.")
    from_record: str | None = Field(
        default=None,
        description="A fact read from problems, medications or smoking status (risk.facts).",
    )


class RecordMapping(BaseModel):
    """Which record field feeds each model column."""

    dataset: str
    columns: dict[str, ColumnSource] = Field(description="column -> where its value comes from")
    age_column: str | None = None
    sex_column: str | None = None
    sex_values: dict[str, Any] = Field(
        default_factory=dict, description="record sex ('male'/'female') -> training value"
    )

    @property
    def units(self) -> dict[str, str]:
        """column -> the UCUM unit of its values (for reasons and row text)."""
        return {c: s.unit for c, s in self.columns.items() if s.unit}


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
        sources = {}
        for column in table_map.observations:
            spec = concept(column.concept)
            sources[column.column] = ColumnSource(
                concept=spec.shared,
                system=spec.coding.system,
                code=spec.coding.code,
                unit=spec.unit,
                unlike=spec.unlike,
                display=spec.coding.display,
                from_record=spec.from_record,
            )
        sex_column = table_map.sex_column if table_map.sex_column in columns else None
        return RecordMapping(
            dataset=dataset,
            columns=sources,
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
