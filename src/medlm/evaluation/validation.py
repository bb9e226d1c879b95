"""Validation designs: repeated stratified cross-validation and external validation by site.

Every fold refits the whole estimator (preprocessing included) on the training folds only,
so nothing learned from a test fold leaks into its predictions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import RepeatedStratifiedKFold

from medlm.evaluation.evaluate import evaluate_probabilities
from medlm.evaluation.metrics import auroc, brier, calibration_intercept_slope
from medlm.evaluation.results import CrossValidationResult, FoldSummary, Metrics


def _summary(values: list[float]) -> FoldSummary:
    arr = np.asarray(values)
    return FoldSummary(
        mean=float(arr.mean()),
        sd=float(arr.std(ddof=1)) if len(arr) > 1 else 0.0,
        low=float(arr.min()),
        high=float(arr.max()),
    )


def cross_validate(
    estimator: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    model: str,
    folds: int = 5,
    repeats: int = 3,
    seed: int = 0,
    groups: Mapping[str, Sequence[str | None]] | None = None,
    on_fold: Callable[[], None] | None = None,
    n_boot: int = 1000,
) -> CrossValidationResult:
    """Fold-level AUROC, Brier and calibration, plus pooled out-of-fold metrics (repeat 1)."""
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    y_arr = np.asarray(y, dtype=int)
    scores: dict[str, list[float]] = {"auroc": [], "brier": [], "slope": [], "intercept": []}
    pooled = np.full(len(y_arr), np.nan)
    for i, (train, test) in enumerate(splitter.split(X, y_arr)):
        fitted = clone(estimator).fit(X.iloc[train], y_arr[train])
        p = fitted.predict_proba(X.iloc[test])[:, 1]
        if i < folds:
            pooled[test] = p
        scores["auroc"].append(auroc(y_arr[test], p))
        scores["brier"].append(brier(y_arr[test], p))
        intercept, slope = calibration_intercept_slope(y_arr[test], p)
        scores["slope"].append(slope)
        scores["intercept"].append(intercept)
        if on_fold is not None:
            on_fold()
    return CrossValidationResult(
        model=model,
        folds=folds,
        repeats=repeats,
        n=len(y_arr),
        auroc=_summary(scores["auroc"]),
        brier=_summary(scores["brier"]),
        calibration_slope=_summary(scores["slope"]),
        calibration_intercept=_summary(scores["intercept"]),
        out_of_fold=pooled.tolist(),
        pooled=evaluate_probabilities(
            y_arr, pooled, model=f"{model} (out-of-fold)", groups=groups, n_boot=n_boot
        ),
    )


def external_validation(
    estimator: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    sites: Sequence[str],
    *,
    train_site: str,
    model: str,
    cutpoints: Sequence[float] = (),
    n_boot: int = 1000,
) -> tuple[Any, list[Metrics]]:
    """Fit on one site, evaluate on each other site separately; returns (model, metrics)."""
    site_arr = np.asarray(list(sites))
    y_arr = np.asarray(y, dtype=int)
    train = site_arr == train_site
    fitted = clone(estimator).fit(X[train].reset_index(drop=True), y_arr[train])
    results = []
    for site in sorted(set(site_arr) - {train_site}):
        mask = site_arr == site
        p = fitted.predict_proba(X[mask].reset_index(drop=True))[:, 1]
        metrics = evaluate_probabilities(
            y_arr[mask],
            p,
            model=f"{model}: {train_site} → {site}",
            cutpoints=cutpoints,
            n_boot=n_boot,
        )
        results.append(metrics)
    return fitted, results
