"""Compute held-out metrics for predicted probabilities: CIs, calibration, cut-points, subgroups."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from medlm.evaluation.metrics import (
    auprc,
    auroc,
    bootstrap_ci,
    brier,
    calibration_intercept_slope,
    check_binary,
    expected_calibration_error,
    threshold_metrics,
)
from medlm.evaluation.results import Metrics, SubgroupResult

# Age bands for subgroup AUROC (years); a reporting convention, not a clinical threshold.
AGE_BANDS = (0, 40, 50, 60, 200)


def age_band(age: float) -> str:
    """The band label ("<40", "40-49", "50-59", ">=60") for an age in years."""
    if age < AGE_BANDS[1]:
        return f"<{AGE_BANDS[1]}"
    for low, high in itertools.pairwise(AGE_BANDS[1:-1]):
        if low <= age < high:
            return f"{low}-{high - 1}"
    return f">={AGE_BANDS[-2]}"


def subgroup_aurocs(
    y: np.ndarray, p: np.ndarray, groups: Mapping[str, Sequence[str | None]], n_boot: int = 200
) -> list[SubgroupResult]:
    """AUROC per level of each grouping variable (e.g. sex, age band, site)."""
    results = []
    for variable, labels in groups.items():
        series = pd.Series(list(labels), dtype="object")
        for level in sorted({str(v) for v in series if v is not None}):
            mask = (series == level).to_numpy()
            y_g, p_g = y[mask], p[mask]
            events = int(y_g.sum())
            value = ci = None
            if 0 < events < len(y_g):
                value = auroc(y_g, p_g)
                ci = bootstrap_ci(auroc, y_g, p_g, n_boot=n_boot)
            results.append(
                SubgroupResult(
                    variable=variable,
                    group=level,
                    n=int(mask.sum()),
                    events=events,
                    auroc=value,
                    auroc_ci=ci,
                )
            )
    return results


def evaluate_probabilities(
    y: np.ndarray,
    p: np.ndarray,
    *,
    model: str,
    cutpoints: Sequence[float] = (),
    groups: Mapping[str, Sequence[str | None]] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> Metrics:
    """All held-out metrics for outcomes `y` (0/1) and predicted probabilities `p`."""
    y_arr, p_arr = check_binary(y, p)
    intercept, slope = calibration_intercept_slope(y_arr, p_arr)
    return Metrics(
        model=model,
        n=len(y_arr),
        events=int(y_arr.sum()),
        prevalence=float(y_arr.mean()),
        auroc=auroc(y_arr, p_arr),
        auroc_ci=bootstrap_ci(auroc, y_arr, p_arr, n_boot=n_boot, seed=seed),
        auprc=auprc(y_arr, p_arr),
        brier=brier(y_arr, p_arr),
        calibration_intercept=intercept,
        calibration_slope=slope,
        ece=expected_calibration_error(y_arr, p_arr),
        thresholds=[threshold_metrics(y_arr, p_arr, c) for c in cutpoints],
        subgroups=subgroup_aurocs(y_arr, p_arr, groups or {}),
    )
