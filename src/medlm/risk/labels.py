"""Training data from patient records (e.g. FHIR bundles) and a label definition.

The label is computed from the record by an explicit rule (a coded Condition is present, or
an Observation's value reaches a threshold); whatever defines the label is removed from the
features, so the model cannot read its own answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from medlm.errors import InputError
from medlm.records import PatientRecord
from medlm.risk.data import RiskData
from medlm.risk.records import RecordMapping


class LabelDefinition(BaseModel):
    """Outcome = 1 when any listed Condition code is present, or an Observation reaches a value."""

    outcome: str = Field(description="Name of the outcome, e.g. 'type 2 diabetes'.")
    condition_codes: list[str] = Field(default_factory=list)
    observation_code: str | None = None
    observation_at_least: float | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> LabelDefinition:
        has_obs = self.observation_code is not None and self.observation_at_least is not None
        if not self.condition_codes and not has_obs:
            raise ValueError("give condition_codes, or observation_code with observation_at_least")
        return self

    def label(self, record: PatientRecord) -> int:
        if any(c.code.code in self.condition_codes for c in record.conditions):
            return 1
        if self.observation_code is not None and self.observation_at_least is not None:
            values = [
                o.value
                for o in record.observations
                if o.code.code == self.observation_code and o.value is not None
            ]
            return int(any(v >= self.observation_at_least for v in values))
        return 0


def records_to_data(
    records: Sequence[PatientRecord], label: LabelDefinition, source: str = "records"
) -> tuple[RiskData, RecordMapping]:
    """One row per record: age, sex and the latest value of each observation code."""
    if not records:
        raise InputError(f"{source}: no patient records to train on")
    leak = {label.observation_code} | set(label.condition_codes)
    units: dict[str, str] = {}
    rows = []
    for record in records:
        row: dict[str, object] = {"age": record.patient.age, "sex": record.patient.sex.value}
        for obs in sorted(
            record.observations, key=lambda o: (o.effective is not None, o.effective or 0)
        ):
            if obs.code.code in leak:
                continue
            row[obs.code.code] = obs.value if obs.value is not None else obs.value_text
            if obs.unit:
                units[obs.code.code] = obs.unit
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        converted = pd.to_numeric(frame[column], errors="coerce")
        if converted.notna().sum() == frame[column].notna().sum():
            frame[column] = converted
    y = np.asarray([label.label(r) for r in records], dtype=int)
    codes = {c: c for c in frame.columns if c not in ("age", "sex")}
    mapping = RecordMapping(
        dataset=source,
        codes=codes,
        units=units,
        age_column="age",
        sex_column="sex",
        sex_values={"male": "male", "female": "female", "other": "other", "unknown": "unknown"},
    )
    data = RiskData(
        features=frame,
        target=y,
        ids=[r.patient.id for r in records],
        source=source,
        outcome=label.outcome,
    )
    return data, mapping


def read_bundles(path: Path) -> list[PatientRecord]:
    """Patients from one FHIR Bundle file, or from every *.json file in a folder."""
    from medlm.risk.inputs import read_patients

    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path}: no .json files")
    return [record for file in files for record in read_patients(file)[0]]
