"""Individual treatment-effect learners for multi-arm randomized trials: T-learner and DR-learner.

Both follow the scikit-learn contract (hyperparameters in `__init__`, `fit` returns self, fitted
state ends in `_`) and predict a matrix of potential outcomes, shape (N patients, K arms); a
learned treatment rule picks the arm with the highest prediction. Base models are gradient
boosting regressors (`HistGradientBoostingRegressor`).

- `TLearner`: one outcome model per arm, fitted on that arm's patients.
- `DRLearner`: doubly-robust pseudo-outcomes
  Γ_ik = μ̂_k(x_i) + 1[a_i = k] (y_i − μ̂_k(x_i)) / p_k, with μ̂ cross-fitted on `n_folds` folds
  and p_k the known randomization probability, then one second-stage regression of Γ_k on x per
  arm.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import KFold

from medlm.errors import InputError, NotFittedError


def _booster(max_iter: int, learning_rate: float, max_depth: int, seed: int) -> Any:
    return HistGradientBoostingRegressor(
        max_iter=max_iter,
        learning_rate=learning_rate,
        max_depth=max_depth,
        min_samples_leaf=20,
        random_state=seed,
    )


def _check(x: np.ndarray, arms: np.ndarray, y: np.ndarray, n_arms: int) -> None:
    if not len(x) == len(arms) == len(y):
        raise InputError(f"x, arms and y have different lengths: {len(x)}, {len(arms)}, {len(y)}")
    present = set(np.unique(arms).tolist())
    if not present <= set(range(n_arms)):
        raise InputError(f"arms must be coded 0..{n_arms - 1}; found {sorted(present)}")
    missing = set(range(n_arms)) - present
    if missing:
        raise InputError(f"no patients in arm(s) {sorted(missing)}: effects cannot be learned")


class TLearner:
    """One gradient-boosting outcome model per arm."""

    def __init__(
        self,
        n_arms: int,
        max_iter: int = 100,
        learning_rate: float = 0.05,
        max_depth: int = 3,
        random_state: int = 0,
    ) -> None:
        self.n_arms = n_arms
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.random_state = random_state

    def fit(self, x: np.ndarray, arms: np.ndarray, y: np.ndarray) -> TLearner:
        _check(x, arms, y, self.n_arms)
        self.models_ = []
        for k in range(self.n_arms):
            model = _booster(self.max_iter, self.learning_rate, self.max_depth, self.random_state)
            self.models_.append(model.fit(x[arms == k], y[arms == k]))
        return self

    def predict_outcomes(self, x: np.ndarray) -> np.ndarray:
        """Predicted outcome under each arm, shape (N, K)."""
        if not hasattr(self, "models_"):
            raise NotFittedError("TLearner.predict_outcomes called before fit")
        return np.column_stack([m.predict(x) for m in self.models_])


class DRLearner:
    """Doubly-robust learner with known randomization probabilities and cross-fitted nuisances."""

    def __init__(
        self,
        propensities: list[float],
        n_folds: int = 2,
        max_iter: int = 100,
        learning_rate: float = 0.05,
        max_depth: int = 3,
        random_state: int = 0,
    ) -> None:
        self.propensities = propensities
        self.n_folds = n_folds
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.random_state = random_state

    def pseudo_outcomes(self, x: np.ndarray, arms: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Γ, shape (N, K): cross-fitted outcome predictions corrected by weighted residuals."""
        n_arms = len(self.propensities)
        mu = np.zeros((len(y), n_arms))
        folds = KFold(self.n_folds, shuffle=True, random_state=self.random_state)
        for train, held in folds.split(x):
            t = TLearner(
                n_arms, self.max_iter, self.learning_rate, self.max_depth, self.random_state
            ).fit(x[train], arms[train], y[train])
            mu[held] = t.predict_outcomes(x[held])
        p = np.asarray(self.propensities)
        treated = arms[:, None] == np.arange(n_arms)[None, :]  # (N, K)
        return mu + treated * (y[:, None] - mu) / p[None, :]

    def fit(self, x: np.ndarray, arms: np.ndarray, y: np.ndarray) -> DRLearner:
        n_arms = len(self.propensities)
        _check(x, arms, y, n_arms)
        gamma = self.pseudo_outcomes(x, arms, y)
        self.models_ = [
            _booster(self.max_iter, self.learning_rate, self.max_depth, self.random_state).fit(
                x, gamma[:, k]
            )
            for k in range(n_arms)
        ]
        return self

    def predict_outcomes(self, x: np.ndarray) -> np.ndarray:
        """Second-stage predicted outcome under each arm, shape (N, K)."""
        if not hasattr(self, "models_"):
            raise NotFittedError("DRLearner.predict_outcomes called before fit")
        return np.column_stack([m.predict(x) for m in self.models_])


def covariate_drivers(
    model: TLearner | DRLearner,
    x: np.ndarray,
    names: list[str],
    reference_arm: int,
    seed: int = 0,
) -> list[tuple[str, float]]:
    """Covariates ranked by how much permuting each one moves the predicted effects.

    Effect = predicted outcome of each arm minus that of `reference_arm`; the score is the mean
    absolute change of those effects (outcome units) when the covariate is shuffled.
    """
    rng = np.random.default_rng(seed)
    base = model.predict_outcomes(x)
    effects = base - base[:, [reference_arm]]  # (N, K)
    scores = []
    for j, name in enumerate(names):
        shuffled = x.copy()
        shuffled[:, j] = rng.permutation(shuffled[:, j])
        pred = model.predict_outcomes(shuffled)
        moved = np.abs(pred - pred[:, [reference_arm]] - effects).mean()
        scores.append((name, float(moved)))
    return sorted(scores, key=lambda s: -s[1])
