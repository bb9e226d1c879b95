"""Treatment-effect learners: the estimator contract and recovery of a known synthetic effect."""

from __future__ import annotations

import numpy as np
import pytest

from medlm.errors import InputError, NotFittedError
from medlm.treatment.effects import DRLearner, TLearner, covariate_drivers


def _synthetic_trial(n: int = 1200, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SYNTHETIC 2-arm trial: arm 1 helps (+10) only when x0 > 0; x1 is pure noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    arms = rng.integers(0, 2, size=n)
    y = x[:, 0] + arms * 10.0 * (x[:, 0] > 0) + rng.normal(scale=0.5, size=n)
    return x, arms, y


@pytest.mark.parametrize(
    "make", [lambda: TLearner(2, max_iter=40), lambda: DRLearner([0.5, 0.5], max_iter=40)]
)
def test_learners_recover_who_benefits_on_synthetic_trial(make: object) -> None:
    x, arms, y = _synthetic_trial()
    model = make()  # type: ignore[operator]
    assert model.fit(x, arms, y) is model
    grid = np.array([[-1.0, 0.0], [1.0, 0.0]])
    effect = model.predict_outcomes(grid) @ np.array([-1.0, 1.0])  # arm 1 minus arm 0
    assert abs(effect[0]) < 2.0
    assert effect[1] == pytest.approx(10.0, abs=2.0)


def test_predict_before_fit_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        TLearner(2).predict_outcomes(np.zeros((1, 2)))
    with pytest.raises(NotFittedError):
        DRLearner([0.5, 0.5]).predict_outcomes(np.zeros((1, 2)))


def test_empty_arm_is_an_input_error() -> None:
    x, _, y = _synthetic_trial(n=50)
    with pytest.raises(InputError, match=r"no patients in arm\(s\) \[1\]"):
        TLearner(2).fit(x, np.zeros(50, dtype=int), y)


def test_dr_pseudo_outcomes_are_unbiased_for_arm_means() -> None:
    """With known propensities the mean of Γ_k estimates the mean outcome under arm k."""
    x, arms, y = _synthetic_trial(n=4000, seed=1)
    gamma = DRLearner([0.5, 0.5], max_iter=30).pseudo_outcomes(x, arms, y)
    truth = np.mean(x[:, 0] + 10.0 * (x[:, 0] > 0))
    assert gamma[:, 1].mean() == pytest.approx(truth, abs=0.4)
    assert gamma[:, 0].mean() == pytest.approx(np.mean(x[:, 0]), abs=0.3)


def test_effect_modifier_ranks_above_noise_covariate() -> None:
    x, arms, y = _synthetic_trial()
    model = TLearner(2, max_iter=40).fit(x, arms, y)
    drivers = covariate_drivers(model, x, ["x0", "x1"], reference_arm=0)
    assert [name for name, _ in drivers] == ["x0", "x1"]
