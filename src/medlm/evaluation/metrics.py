"""Discrimination and calibration metrics for binary risk models, with bootstrap intervals.

Calibration intercept and slope follow the logistic recalibration framework (Cox 1958; Van
Calster et al., J Clin Epidemiol 2016;74:167): the slope is the coefficient of the model's
log-odds in a logistic regression of the outcome on them, and the intercept is
calibration-in-the-large, fitted with the log-odds as an offset. A slope below 1 means
predictions are too extreme (over-fitting); above 1, too modest.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from pydantic import BaseModel, Field
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from medlm.errors import InputError

_EPS = 1e-6


class ThresholdMetrics(BaseModel):
    """Classification at one probability cut-point (predicted positive when p >= threshold)."""

    threshold: float
    sensitivity: float | None
    specificity: float | None
    ppv: float | None
    npv: float | None
    flagged: int = Field(description="Patients at or above the threshold.")


def check_binary(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate labels (0/1, both present) and probabilities in [0, 1]; return float arrays."""
    y_arr = np.asarray(y, dtype=float).ravel()
    p_arr = np.asarray(p, dtype=float).ravel()
    if y_arr.shape != p_arr.shape:
        raise InputError(f"{len(y_arr)} outcomes but {len(p_arr)} predictions")
    if not np.isin(y_arr, (0.0, 1.0)).all():
        raise InputError("outcomes must be 0 or 1")
    if len(np.unique(y_arr)) < 2:
        raise InputError(f"need both outcomes to evaluate; all {len(y_arr)} are {y_arr[0]:.0f}")
    if np.isnan(p_arr).any() or (p_arr < 0).any() or (p_arr > 1).any():
        raise InputError("predicted probabilities must lie in [0, 1]")
    return y_arr, p_arr


def logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, _EPS, 1 - _EPS)
    return np.asarray(np.log(clipped / (1 - clipped)))


def _newton_logistic(
    design: np.ndarray, y: np.ndarray, offset: np.ndarray, iterations: int = 50
) -> np.ndarray:
    """Unpenalised maximum-likelihood logistic regression by Newton-Raphson."""
    beta = np.zeros(design.shape[1])
    for _ in range(iterations):
        eta = np.clip(design @ beta + offset, -30, 30)
        mu = 1 / (1 + np.exp(-eta))
        weight = mu * (1 - mu) + 1e-12
        hessian = design.T @ (design * weight[:, None])
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(beta)), design.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def calibration_intercept_slope(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """(calibration-in-the-large intercept, calibration slope); ideal (0, 1)."""
    y_arr, p_arr = check_binary(y, p)
    lp = logit(p_arr)
    ones = np.ones((len(lp), 1))
    intercept = float(_newton_logistic(ones, y_arr, offset=lp)[0])
    slope = float(_newton_logistic(np.column_stack([ones, lp]), y_arr, np.zeros(len(lp)))[1])
    return intercept, slope


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """ECE over `bins` equal-width probability bins, weighted by bin size."""
    y_arr, p_arr = check_binary(y, p)
    index = np.minimum((p_arr * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.mean() * abs(p_arr[mask].mean() - y_arr[mask].mean())
    return float(total)


def auroc(y: np.ndarray, p: np.ndarray) -> float:
    return float(roc_auc_score(y, p))


def auprc(y: np.ndarray, p: np.ndarray) -> float:
    return float(average_precision_score(y, p))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(brier_score_loss(y, p))


def bootstrap_ci(
    metric: Callable[[np.ndarray, np.ndarray], float],
    y: np.ndarray,
    p: np.ndarray,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval; resamples with both outcomes present are kept."""
    y_arr, p_arr = check_binary(y, p)
    rng = np.random.default_rng(seed)
    values: list[float] = []
    n = len(y_arr)
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        y_b = y_arr[idx]
        if y_b.min() == y_b.max():
            continue
        values.append(metric(y_b, p_arr[idx]))
    if not values:
        raise InputError("no bootstrap resample had both outcomes")
    alpha = (1 - level) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return float(low), float(high)


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def threshold_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> ThresholdMetrics:
    """Sensitivity, specificity, PPV and NPV when p >= threshold counts as positive."""
    y_arr, p_arr = check_binary(y, p)
    flagged = p_arr >= threshold
    positive = y_arr == 1
    tp = int((flagged & positive).sum())
    fp = int((flagged & ~positive).sum())
    fn = int((~flagged & positive).sum())
    tn = int((~flagged & ~positive).sum())
    return ThresholdMetrics(
        threshold=threshold,
        sensitivity=_ratio(tp, tp + fn),
        specificity=_ratio(tn, tn + fp),
        ppv=_ratio(tp, tp + fp),
        npv=_ratio(tn, tn + fn),
        flagged=int(flagged.sum()),
    )


def net_benefit(y: np.ndarray, p: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Decision-curve net benefit (Vickers & Elkin, Med Decis Making 2006;26:565)."""
    y_arr, p_arr = check_binary(y, p)
    n = len(y_arr)
    out = []
    for t in thresholds:
        flagged = p_arr >= t
        tp = float((flagged & (y_arr == 1)).sum())
        fp = float((flagged & (y_arr == 0)).sum())
        out.append(tp / n - fp / n * (t / (1 - t)))
    return np.asarray(out)


def finite_or_none(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else value
