"""Per-feature contributions to a model's log-odds, and the readable reasons built from them.

Two exact methods, both additive on the log-odds scale (contributions plus the baseline equal
the model's log-odds before any recalibration):
- linear models: coefficient x standardized value, i.e. the change in log-odds relative to a
  patient at the training means (imputed values and missing-indicators count too);
- gradient-boosted trees: TreeSHAP (Lundberg et al., Nat Mach Intell 2020;2:56) as computed
  exactly by LightGBM's `predict(..., pred_contrib=True)`.
Contributions of the columns one input produces (one-hot levels, a missing-indicator) are
summed back onto that input. Integrated gradients for text models is in
`medlm.explain.integrated_gradients`; reasons may name their method ("... (occlusion)").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field


class Contribution(BaseModel):
    """One input's push on the predicted risk, in log-odds, with a sentence for people."""

    feature: str
    value: float | str | None = None
    unit: str | None = None
    contribution: float = Field(description="Change in log-odds this input causes.")
    text: str
    method: str | None = Field(
        default=None, description="How the contribution was computed, when the text names it."
    )


def linear_contributions(coef: np.ndarray, transformed: np.ndarray) -> np.ndarray:
    """(N, F) contributions of a linear model on preprocessed inputs (N, F)."""
    return np.asarray(transformed, dtype=float) * np.asarray(coef, dtype=float).ravel()[None, :]


def tree_contributions(booster: Any, transformed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, F) TreeSHAP contributions and (N,) baselines from a LightGBM booster."""
    raw = np.asarray(booster.predict(np.asarray(transformed, dtype=float), pred_contrib=True))
    return raw[:, :-1], raw[:, -1]  # last column: the expected log-odds (baseline)


def aggregate(contrib: np.ndarray, sources: Sequence[str], columns: Sequence[str]) -> np.ndarray:
    """Sum (N, F_out) contributions onto the (N, C) input columns they came from."""
    out = np.zeros((contrib.shape[0], len(columns)))
    position = {c: i for i, c in enumerate(columns)}
    for j, source in enumerate(sources):
        out[:, position[source]] += contrib[:, j]
    return out


def _format_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe(
    feature: str,
    value: Any,
    contribution: float,
    unit: str | None = None,
    method: str | None = None,
) -> str:
    """'Glucose 168 mg/dL: +0.21' (log-odds), or '... +0.21 (integrated gradients)'."""
    shown = _format_value(value)
    if unit and unit != "1" and shown != "missing":
        shown = f"{shown} {unit}"
    text = f"{feature} {shown}: {contribution:+.2f}"
    return f"{text} ({method})" if method else text


def top_reasons(
    row: dict[str, Any],
    contributions: np.ndarray,
    columns: Sequence[str],
    *,
    k: int = 3,
    units: dict[str, str] | None = None,
    method: str | None = None,
) -> list[Contribution]:
    """The `k` inputs with the largest absolute contributions, largest first.

    `method`, when given, is named in each reason's text and kept in `Contribution.method`.
    """
    order = np.argsort(-np.abs(contributions))[:k]
    reasons = []
    for i in order:
        column = columns[i]
        value = row.get(column)
        if isinstance(value, float) and math.isnan(value):
            value = None
        if value is not None and not isinstance(value, float | str):
            value = (
                float(value) if isinstance(value, int | np.integer | np.floating) else str(value)
            )
        unit = (units or {}).get(column)
        reasons.append(
            Contribution(
                feature=column,
                value=value,
                unit=unit,
                contribution=float(contributions[i]),
                text=describe(column, value, float(contributions[i]), unit, method),
                method=method,
            )
        )
    return reasons


def global_importance(contrib: np.ndarray, columns: Sequence[str]) -> dict[str, float]:
    """Mean absolute contribution per input, largest first."""
    mean_abs = np.abs(contrib).mean(axis=0)
    order = np.argsort(-mean_abs)
    return {columns[i]: float(mean_abs[i]) for i in order}
