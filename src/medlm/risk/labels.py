"""Training data from patient records (e.g. FHIR bundles) and a label definition.

The label is computed from the record by an explicit rule (a coded Condition is present, or
an Observation's value reaches a threshold); whatever defines the label is removed from the
features, so the model cannot read its own answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, model_validator

from medlm.errors import InputError
from medlm.records import Observation, PatientRecord
from medlm.records.timing import aware, resolve_as_of
from medlm.risk.columns import ColumnSource, RecordMapping
from medlm.risk.data import RiskData
from medlm.risk.inputs import read_patients

logger = logging.getLogger(__name__)


class LabelDefinition(BaseModel):
    """Outcome = 1 when a listed Condition is present, or an Observation reaches a value.

    `condition_codes` holds Condition codes or condition concept keys ('type2_diabetes', set at
    the records boundary from SNOMED CT, ICD-10-CM or the display text).
    """

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
        wanted = set(self.condition_codes)
        if any(c.code.code in wanted or wanted & set(c.concepts) for c in record.conditions):
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
    records: Sequence[PatientRecord],
    label: LabelDefinition,
    source: str = "records",
    as_of: datetime | None = None,
) -> tuple[RiskData, RecordMapping]:
    """One row per record at `as_of` (default now): age, sex, the latest value of each measure.

    A measure is a shared concept where the boundary set one (its column is the concept key,
    in the canonical unit), else the Observation's code (system AND code, in the unit first
    seen). Values in another unit or given as a bound ('>60') are left out and counted.
    """
    if not records:
        raise InputError(f"{source}: no patient records to train on")
    when = resolve_as_of(as_of)
    leak = {label.observation_code, *label.condition_codes} - {None}
    # The label's measure under any of its codes: the concept its code was given at the boundary.
    leak |= {
        o.concept
        for r in records
        for o in r.observations
        if o.concept is not None and o.code.code == label.observation_code
    }
    sources: dict[str, ColumnSource] = {}
    left_out = 0
    rows = []
    for record in records:
        row: dict[str, object] = {
            "age": record.patient.age_on(when.date()),
            "sex": record.patient.sex.value,
        }
        for obs in sorted(record.observations, key=_time):
            if obs.code.code in leak or obs.concept in leak or not _known(obs, when):
                continue
            column, spec = _column(obs)
            if sources.setdefault(column, spec) != spec or obs.comparator is not None:
                left_out += 1
                continue
            row[column] = obs.value if obs.value is not None else obs.value_text
        rows.append(row)
    if left_out:
        logger.warning("%d values left out: another unit or code system, or a bound", left_out)
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        converted = pd.to_numeric(frame[column], errors="coerce")
        if converted.notna().sum() == frame[column].notna().sum():
            frame[column] = converted
    y = np.asarray([label.label(r) for r in records], dtype=int)
    mapping = RecordMapping(
        dataset=source,
        columns={c: sources[c] for c in frame.columns if c in sources},
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


def _column(obs: Observation) -> tuple[str, ColumnSource]:
    if obs.concept is not None:
        return obs.concept, ColumnSource(concept=obs.concept, unit=obs.unit)
    return obs.code.code, ColumnSource(system=obs.code.system, code=obs.code.code, unit=obs.unit)


def _known(obs: Observation, as_of: datetime) -> bool:
    return obs.is_usable and (obs.effective is None or aware(obs.effective) <= as_of)


def _time(obs: Observation) -> float:
    return aware(obs.effective).timestamp() if obs.effective is not None else float("-inf")


def read_bundles(path: Path, as_of: datetime | None = None) -> list[PatientRecord]:
    """Patients from one file (FHIR Bundle, medlm JSON), or from every *.json file in a folder.

    Files are read at the records boundary; a file without one readable patient is an
    InputError naming it, and rejected resources are counted in the log (never their content).
    """
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path}: no .json files")
    records: list[PatientRecord] = []
    for file in files:
        report = read_patients(file, as_of=as_of)
        if report.rejections:
            logger.warning("%s: %d resources rejected", file.name, len(report.rejections))
        records.extend(report.records)
    return records
