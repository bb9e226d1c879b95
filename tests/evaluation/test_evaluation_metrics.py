"""Metrics: calibration intercept and slope, ECE, bootstrap CIs, cut-points, net benefit."""

from __future__ import annotations

import numpy as np
import pytest

from medlm.errors import InputError
from medlm.evaluation.metrics import (
    auroc,
    bootstrap_ci,
    calibration_intercept_slope,
    expected_calibration_error,
    logit,
    net_benefit,
    threshold_metrics,
)


def _calibrated(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = 1 / (1 + np.exp(-rng.normal(-0.5, 1.2, n)))
    y = (rng.random(n) < p).astype(int)
    return y, p


def test_calibrated_predictions_have_slope_near_one_and_intercept_near_zero() -> None:
    y, p = _calibrated()
    intercept, slope = calibration_intercept_slope(y, p)
    assert slope == pytest.approx(1.0, abs=0.1)
    assert intercept == pytest.approx(0.0, abs=0.1)


def test_overconfident_predictions_have_slope_below_one() -> None:
    y, p = _calibrated()
    extreme = 1 / (1 + np.exp(-2.5 * logit(p)))  # log-odds stretched 2.5-fold
    _, slope = calibration_intercept_slope(y, extreme)
    assert slope == pytest.approx(0.4, abs=0.06)


def test_predictions_too_high_have_negative_intercept() -> None:
    y, p = _calibrated()
    intercept, _ = calibration_intercept_slope(y, 1 / (1 + np.exp(-(logit(p) + 1.0))))
    assert intercept == pytest.approx(-1.0, abs=0.1)


def test_ece_is_zero_when_each_bin_rate_equals_its_prediction() -> None:
    y = np.array([0, 0, 0, 1] * 5 + [1, 1, 1, 0] * 5)
    p = np.array([0.25] * 20 + [0.75] * 20)
    assert expected_calibration_error(y, p) == pytest.approx(0.0)
    assert expected_calibration_error(y, np.where(p > 0.5, 0.95, 0.05)) == pytest.approx(0.2)


def test_bootstrap_ci_brackets_the_point_estimate_and_narrows_with_n() -> None:
    y, p = _calibrated(400)
    low, high = bootstrap_ci(auroc, y, p, n_boot=300)
    assert low < auroc(y, p) < high
    y_big, p_big = _calibrated(4000)
    low_b, high_b = bootstrap_ci(auroc, y_big, p_big, n_boot=300)
    assert high_b - low_b < high - low


def test_threshold_metrics_count_p_at_the_cut_point_as_positive() -> None:
    y = np.array([1, 1, 0, 0, 1, 0])
    p = np.array([0.9, 0.2, 0.2, 0.1, 0.5, 0.6])
    t = threshold_metrics(y, p, 0.5)
    assert (t.sensitivity, t.specificity, t.ppv, t.npv, t.flagged) == (
        pytest.approx(2 / 3),
        pytest.approx(2 / 3),
        pytest.approx(2 / 3),
        pytest.approx(2 / 3),
        3,
    )


def test_net_benefit_of_a_perfect_model_is_the_prevalence() -> None:
    y = np.array([1, 0, 0, 0])
    p = y.astype(float)
    assert net_benefit(y, p, np.array([0.2, 0.5])) == pytest.approx([0.25, 0.25])


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        ([0, 1, 2], [0.1, 0.2, 0.3], "0 or 1"),
        ([1, 1, 1], [0.1, 0.2, 0.3], "both outcomes"),
        ([0, 1], [0.1, 1.2], r"\[0, 1\]"),
        ([0, 1], [0.1], "2 outcomes but 1"),
    ],
)
def test_bad_inputs_are_refused_with_the_reason(
    y: list[float], p: list[float], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        calibration_intercept_slope(np.array(y), np.array(p))
