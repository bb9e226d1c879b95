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
Each reason's sentence is a `medlm.messages` template (`Contribution.message`), so pages render
it per locale; `text` is the same sentence in English.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from medlm.messages import Message, MessageRef, MessageTemplate

REASON = MessageTemplate(
    id="explain.reason",
    text="%(feature)s %(value)s: %(contribution)s",
    numbers={"contribution": "+.2f"},
    terms=("feature", "value"),
)
REASON_UNIT = MessageTemplate(
    id="explain.reason-unit",
    text="%(feature)s %(value)s %(unit)s: %(contribution)s",
    numbers={"contribution": "+.2f"},
    terms=("feature",),
)
REASON_MISSING = MessageTemplate(
    id="explain.reason-missing",
    text="%(feature)s missing: %(contribution)s",
    numbers={"contribution": "+.2f"},
    terms=("feature",),
)
REASON_METHOD = MessageTemplate(
    id="explain.reason-method", text="%(reason)s (%(method)s)", terms=("method",)
)


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
    message: MessageRef | None = Field(
        default=None, description="`text` as a template id and parameters, for other locales."
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


def reason_message(
    feature: str,
    value: Any,
    contribution: float,
    unit: str | None = None,
    method: str | None = None,
) -> Message:
    """'Glucose 168 mg/dL: +0.21' (log-odds), or '... +0.21 (integrated gradients)'."""
    shown: float | int | str
    if value is None or (isinstance(value, float) and math.isnan(value)):
        reason = REASON_MISSING(feature=feature, contribution=contribution)
    else:
        shown = (
            value if isinstance(value, float | int) and not isinstance(value, bool) else str(value)
        )
        if unit and unit != "1":
            reason = REASON_UNIT(feature=feature, value=shown, unit=unit, contribution=contribution)
        else:
            reason = REASON(feature=feature, value=shown, contribution=contribution)
    return REASON_METHOD(reason=reason, method=method) if method else reason


def describe(
    feature: str,
    value: Any,
    contribution: float,
    unit: str | None = None,
    method: str | None = None,
) -> str:
    """'Glucose 168 mg/dL: +0.21' (log-odds), or '... +0.21 (integrated gradients)'."""
    return reason_message(feature, value, contribution, unit, method).text


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
        reason = reason_message(column, value, float(contributions[i]), unit, method)
        reasons.append(
            Contribution(
                feature=column,
                value=value,
                unit=unit,
                contribution=float(contributions[i]),
                text=reason.text,
                method=method,
                message=reason.ref,
            )
        )
    return reasons


def global_importance(contrib: np.ndarray, columns: Sequence[str]) -> dict[str, float]:
    """Mean absolute contribution per input, largest first."""
    mean_abs = np.abs(contrib).mean(axis=0)
    order = np.argsort(-mean_abs)
    return {columns[i]: float(mean_abs[i]) for i in order}
