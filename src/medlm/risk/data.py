"""Training and evaluation tables for risk models: from CSV, registered datasets or records.

Leakage rules: the outcome and follow-up columns (time to event, later measurements) never
become features; site and subgroup columns are kept beside the features, not in them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from medlm.errors import InputError, ValidationError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatasetTask:
    """How a registered dataset becomes a binary prediction task."""

    target: str
    positive_if_above: float = 0.5  # outcome = target > this value
    exclude: tuple[str, ...] = ()  # identifiers and follow-up columns: never features
    site_column: str | None = None
    sex_column: str | None = None
    age_column: str | None = None
    outcome: str = ""


TASKS: dict[str, DatasetTask] = {
    "pima": DatasetTask(
        target="Outcome", age_column="Age", outcome="diabetes (Pima, onset within 5 years)"
    ),
    "uci-heart": DatasetTask(
        target="num",
        positive_if_above=0.0,
        exclude=("id",),
        site_column="dataset",
        sex_column="sex",
        age_column="age",
        outcome="angiographic coronary disease (num > 0)",
    ),
    "framingham": DatasetTask(
        target="TenYearCHD", sex_column="male", age_column="age", outcome="10-year CHD"
    ),
    "heart-failure": DatasetTask(
        target="DEATH_EVENT",
        exclude=("time",),
        sex_column="sex",
        age_column="age",
        outcome="death during follow-up (heart failure)",
    ),
}


@dataclass
class RiskData:
    """Features, the 0/1 outcome (None when unlabelled), row ids and grouping columns."""

    features: pd.DataFrame
    target: np.ndarray | None
    ids: list[str]
    groups: dict[str, list[str | None]] = field(default_factory=dict)
    source: str = ""
    outcome: str = ""

    def __len__(self) -> int:
        return len(self.features)

    def subset(self, mask: np.ndarray) -> RiskData:
        """The rows where `mask` is True."""
        index = np.flatnonzero(mask)
        return RiskData(
            features=self.features.iloc[index].reset_index(drop=True),
            target=None if self.target is None else self.target[index],
            ids=[self.ids[i] for i in index],
            groups={k: [v[i] for i in index] for k, v in self.groups.items()},
            source=self.source,
            outcome=self.outcome,
        )


def binary_target(values: pd.Series, column: str, above: float | None = None) -> np.ndarray:
    """The outcome as 0/1; a missing or non-binary value is an error naming the row."""
    numeric = pd.to_numeric(values, errors="coerce")
    bad = numeric.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValidationError(
            f"target column {column!r}: row {row + 1} has value {str(values.iloc[row])!r}, "
            "not a number (the outcome must be 0 or 1 in every row)",
            field=column,
        )
    if above is not None:
        return (numeric > above).to_numpy(dtype=int)
    outside = ~numeric.isin((0, 1))
    if outside.any():
        row = int(np.flatnonzero(outside.to_numpy())[0])
        raise ValidationError(
            f"target column {column!r}: row {row + 1} has value {values.iloc[row]}; "
            "the outcome must be 0 or 1",
            field=column,
        )
    return numeric.to_numpy(dtype=int)


def _check_numeric_columns(frame: pd.DataFrame, path: Path) -> None:
    """A column that is mostly numbers but holds some text is an error naming column and row."""
    for column in frame.columns:
        series = frame[column]
        if series.dtype != object:
            continue
        present = series.dropna()
        numeric = pd.to_numeric(present, errors="coerce")
        if len(present) and numeric.notna().mean() >= 0.5 and numeric.isna().any():
            position = int(np.flatnonzero(numeric.isna().to_numpy())[0])
            label = present.index[position]
            row = int(frame.index.get_loc(label))
            raise ValidationError(
                f"{path.name}: column {column!r} is numeric but row {row + 1} (line {row + 2}) "
                f"has the non-numeric value {present.iloc[position]!r}",
                field=str(column),
            )


def read_csv(path: Path, target: str | None, id_column: str | None = None) -> RiskData:
    """A CSV with a header row: every column but the target (and id) is a candidate feature."""
    if not path.is_file():
        raise InputError(f"data file {path} does not exist")
    if path.stat().st_size == 0:
        raise InputError(f"data file {path} is empty")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise InputError(f"data file {path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"data file {path} is not a readable CSV: {exc}") from exc
    if frame.empty:
        raise InputError(f"data file {path} has a header but no rows")
    if target is not None and target not in frame.columns:
        raise InputError(
            f"{path.name}: target column {target!r} not found; columns are "
            f"{', '.join(map(str, frame.columns))}"
        )
    _check_numeric_columns(frame, path)
    ids = [f"row-{i + 1}" for i in range(len(frame))]
    if id_column is not None:
        if id_column not in frame.columns:
            raise InputError(f"{path.name}: id column {id_column!r} not found")
        ids = frame.pop(id_column).astype(str).tolist()
    y = binary_target(frame.pop(target), target) if target is not None else None
    return RiskData(features=frame, target=y, ids=ids, source=str(path), outcome=target or "")


def from_dataset(name: str) -> RiskData:
    """A registered dataset as a prediction task (`TASKS` says target and exclusions)."""
    from medlm.datasets import load

    if name not in TASKS:
        raise InputError(f"dataset {name!r} has no risk task; choose from {', '.join(TASKS)}")
    task = TASKS[name]
    dataset = load(name)
    frame = dataset.frame.reset_index(drop=True)
    above = task.positive_if_above if task.positive_if_above != 0.5 else None
    y = binary_target(frame[task.target], task.target, above)
    groups: dict[str, list[str | None]] = {}
    if task.site_column:
        groups["site"] = frame[task.site_column].astype(str).tolist()
    if task.sex_column:
        groups["sex"] = [_sex_label(v) for v in frame[task.sex_column]]
    if task.age_column:
        from medlm.evaluation.evaluate import age_band

        groups["age_band"] = [age_band(float(a)) for a in frame[task.age_column]]
    drop = [task.target, *task.exclude]
    if task.site_column:
        drop.append(task.site_column)
    features = frame.drop(columns=drop)
    ids = [f"{name}-{i + 1:04d}" for i in range(len(frame))]
    logger.info("dataset %s: %d rows, %d features", name, len(frame), features.shape[1])
    return RiskData(
        features=features, target=y, ids=ids, groups=groups, source=name, outcome=task.outcome
    )


def _sex_label(value: object) -> str | None:
    text = str(value).strip().lower()
    return {"1": "male", "male": "male", "0": "female", "female": "female"}.get(text)


def resolve_data(
    data: Path | None, target: str | None, dataset: str | None, *, need_target: bool = True
) -> RiskData:
    """Exactly one of a CSV file (with `target`) or a registered dataset name."""
    if (data is None) == (dataset is None):
        raise InputError("give exactly one of --data FILE or --dataset NAME")
    if dataset is not None:
        return from_dataset(dataset)
    assert data is not None
    if need_target and target is None:
        raise InputError("--data needs --target COLUMN (the 0/1 outcome column)")
    return read_csv(data, target)
