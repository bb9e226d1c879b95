"""What a fitted model puts in place of a missing input, and how much of a prediction rests on it.

logreg: the training median of a numeric input (with its missing-indicator), the level 'missing'
of a categorical one. gbm: no value; the trees send a missing input down the branch they learned
for missing values. lm: the input is left out of the row's text. The missing share of one
prediction is the part of its absolute log-odds contributions that comes from imputed inputs;
at or above the setting `risk.low_confidence_missing_share` the prediction is low-confidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

_CATEGORY = "its own level 'missing' (learned from training rows without the value)"
_TREE = "no value: the trees send it down the branch learned for missing values"
_TEXT = "no value: it is left out of the row's text"


def imputation_table(
    family: str, pipeline: Any, columns: Sequence[str], units: Mapping[str, str]
) -> dict[str, str]:
    """Input column -> what the fitted pipeline uses when it is missing, in words."""
    if family == "lm":
        return dict.fromkeys(columns, _TEXT)
    out = dict.fromkeys(columns, _CATEGORY)
    prep = pipeline.named_steps["prep"]
    for name, step, numeric in prep.transformers_:
        if name != "num":
            continue
        if family == "gbm" or step == "passthrough":
            out.update(dict.fromkeys(numeric, _TREE))
            continue
        medians = step.named_transformers_["values"].named_steps["impute"].statistics_
        for column, median in zip(numeric, medians, strict=True):
            unit = units.get(column)
            shown = f"{float(median):g}" + (f" {unit}" if unit and unit != "1" else "")
            out[column] = f"{shown} (training median)"
    return out


def missing_in_rows(frame: pd.DataFrame, zero_missing: Sequence[str]) -> list[list[str]]:
    """For each row, the columns without a value (NaN, or 0 where 0 means not measured)."""
    absent = frame.isna()
    for column in zero_missing:
        if column in frame.columns:
            absent[column] = absent[column] | (pd.to_numeric(frame[column], errors="coerce") == 0)
    columns = list(frame.columns)
    return [[columns[j] for j in np.flatnonzero(row)] for row in absent.to_numpy()]


def missing_share(
    contributions: np.ndarray, columns: Sequence[str], missing: Sequence[str]
) -> float:
    """Share of sum |contribution| that comes from the missing columns (0 when all are 0)."""
    weights = np.abs(np.asarray(contributions, dtype=float))
    total = float(weights.sum())
    if total == 0:
        return 0.0
    index = [i for i, c in enumerate(columns) if c in set(missing)]
    return float(weights[index].sum() / total)
