"""Feature tables as the estimator takes them: which columns can inform a model, and their kinds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from medlm.errors import InputError


def unusable_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Columns that cannot inform a model, with the reason (reported, never silently dropped)."""
    reasons = {}
    for column in frame.columns:
        series = frame[column]
        present = series.dropna()
        if present.empty:
            reasons[str(column)] = "every value is missing"
        elif present.nunique() == 1 and len(present) == len(series):
            reasons[str(column)] = f"the same value ({present.iloc[0]!r}) in every row"
        elif is_text(series) and present.nunique() > max(20, 0.5 * len(present)):
            reasons[str(column)] = (
                f"text with {present.nunique()} distinct values in {len(present)} rows "
                "(an identifier or free text, not a category)"
            )
    return reasons


def is_boolean(series: pd.Series) -> bool:
    """True for bool columns and object columns holding only True/False (and missing)."""
    if pd.api.types.is_bool_dtype(series):
        return True
    present = series.dropna()
    return (
        series.dtype == object
        and len(present) > 0
        and bool(present.map(lambda v: isinstance(v, bool | np.bool_)).all())
    )


def is_text(series: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True)
    raise InputError(f"expected a pandas DataFrame of features, got {type(X).__name__}")


def typed_frame(
    rows: list[dict[str, Any]],
    columns: list[str],
    dtypes: dict[str, str],
    boolean_columns: list[str],
) -> pd.DataFrame:
    """Rows read from records as a table with the training table's column kinds."""
    frame = pd.DataFrame(rows, columns=columns)
    for column, dtype in dtypes.items():
        if dtype.startswith(("int", "float")):
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    for column in boolean_columns:
        # records hold booleans as 1/0 Observations; the training table held True/False
        frame[column] = frame[column].map(
            lambda v: v if isinstance(v, str) or pd.isna(v) else bool(float(v))
        )
    return frame


MAX_INPUT_MAGNITUDE = 1e15
"""Largest absolute input value a model accepts: a numeric-safety bound (standardizing 1e308
overflows to infinity), far above any measured clinical quantity; not a clinical limit."""


def check_magnitudes(frame: pd.DataFrame) -> None:
    """InputError naming the column and row of the first numeric value that is infinite or
    larger in size than `MAX_INPUT_MAGNITUDE` (missing values are allowed: they are imputed)."""
    for column in frame.columns:
        series = frame[column]
        if is_boolean(series) or not pd.api.types.is_numeric_dtype(series):
            continue
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = np.flatnonzero(np.abs(values) > MAX_INPUT_MAGNITUDE)
        if bad.size:
            raise InputError(
                f"input {column!r} (row {int(bad[0]) + 1}) is infinite or larger than "
                f"{MAX_INPUT_MAGNITUDE:g} in size: not a usable value"
            )
