"""Policy evaluation on randomized trials: learned treatment rules against the best single arm.

Every patient's assigned arm comes from models fitted on the other folds (cross-fitting), so the
evaluation is on held-out patients. Values are inverse-probability-weighted means with the
trial's known randomization probabilities, V(π) = mean(1[a_i = π(x_i)] y_i / p_{a_i}), with
percentile bootstrap CIs over patients; the difference to the best single arm is bootstrapped
on the same resamples (paired). The self-normalized (Hájek) value is reported beside it. The
best single arm is chosen on all patients, which favours the baseline: personalization is only
called better when the paired CI excludes zero.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from pydantic import BaseModel
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

from medlm import DISCLAIMER
from medlm.knowledge.treatment import TrialDesign
from medlm.treatment.effects import DRLearner, TLearner, covariate_drivers

Progress = Callable[[int], None]


class Estimate(BaseModel):
    value: float
    ci_low: float
    ci_high: float


class PolicyResult(BaseModel):
    learner: str
    value: Estimate
    vs_best_arm: Estimate
    self_normalized_vs_best_arm: Estimate
    arm_shares: dict[str, float]
    drivers: list[tuple[str, float]]


class PolicyEvaluation(BaseModel):
    """The comparison `medlm treat effects` prints."""

    dataset: str
    outcome: str
    n_patients: int
    n_folds: int
    n_bootstrap: int
    arms: dict[str, Estimate]
    best_arm: str
    arms_self_normalized: dict[str, Estimate]
    best_arm_self_normalized: str
    policies: list[PolicyResult]
    conclusion: str
    randomization: dict[str, float]
    citation: str
    disclaimer: str = DISCLAIMER


def ipw_value(arms: np.ndarray, y: np.ndarray, assigned: np.ndarray, p: np.ndarray) -> float:
    """Horvitz–Thompson value of a rule that assigns `assigned` (known propensities `p`)."""
    return float(np.mean((arms == assigned) * y / p[arms]))


def _bootstrap(
    arms: np.ndarray,
    y: np.ndarray,
    rules: dict[str, np.ndarray],
    p: np.ndarray,
    n: int,
    seed: int,
    normalized: bool,
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Point values and bootstrap draws (B,) per rule; one resample set shared by all rules.

    `normalized` gives the self-normalized (Hájek) estimator, sum(w y) / sum(w), a lower-variance
    companion of the Horvitz–Thompson value mean(w y).
    """
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), size=(n, len(y)))  # (B, N)
    points, draws = {}, {}
    for name, assigned in rules.items():
        w = (arms == assigned) / p[arms]  # (N,)
        if normalized:
            points[name] = float(np.sum(w * y) / np.sum(w))
            draws[name] = (w * y)[idx].sum(axis=1) / w[idx].sum(axis=1)
        else:
            points[name] = float(np.mean(w * y))
            draws[name] = (w * y)[idx].mean(axis=1)
    return points, draws


def _estimate(point: float, draws: np.ndarray) -> Estimate:
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return Estimate(value=point, ci_low=float(lo), ci_high=float(hi))


def _cross_fit(
    learners: dict[str, Callable[[], TLearner | DRLearner]],
    x: np.ndarray,
    arms: np.ndarray,
    y: np.ndarray,
    n_folds: int,
    seed: int,
    advance: Progress | None,
) -> dict[str, np.ndarray]:
    assigned = {name: np.zeros(len(y), dtype=int) for name in learners}
    for train, held in KFold(n_folds, shuffle=True, random_state=seed).split(x):
        for name, make in learners.items():
            model = make().fit(x[train], arms[train], y[train])
            assigned[name][held] = model.predict_outcomes(x[held]).argmax(axis=1)
            if advance:
                advance(1)
    return assigned


def evaluate_policies(
    frame: pd.DataFrame,
    design: TrialDesign,
    n_folds: int = 5,
    n_bootstrap: int = 1000,
    max_iter: int = 100,
    seed: int = 0,
    advance: Progress | None = None,
) -> PolicyEvaluation:
    """Cross-fitted T- and DR-learner rules vs every single arm, with bootstrap CIs."""
    x = frame[design.covariates].to_numpy(dtype=float)
    arms = frame["arms"].to_numpy(dtype=int)
    y = frame[design.outcome].to_numpy(dtype=float)
    k = len(design.arms)
    p = np.array([design.randomization_probabilities[a] for a in range(k)])
    learners: dict[str, Callable[[], TLearner | DRLearner]] = {
        "T-learner": lambda: TLearner(k, max_iter=max_iter, random_state=seed),
        "DR-learner": lambda: DRLearner(list(p), max_iter=max_iter, random_state=seed),
    }
    # One OpenMP thread: on ~2,000 rows threading gains little, and on a shared machine the
    # boosters' thread pools contend (measured 6x slower with two threads under load).
    with threadpool_limits(limits=1, user_api="openmp"):
        assigned = _cross_fit(learners, x, arms, y, n_folds, seed, advance)
        finals = {name: make().fit(x, arms, y) for name, make in learners.items()}
    rules = {design.arms[a]: np.full(len(y), a) for a in range(k)} | assigned
    ht = _bootstrap(arms, y, rules, p, n_bootstrap, seed, normalized=False)
    sn = _bootstrap(arms, y, rules, p, n_bootstrap, seed, normalized=True)
    names = [design.arms[a] for a in range(k)]
    arm_values = {n: _estimate(ht[0][n], ht[1][n]) for n in names}
    sn_arms = {n: _estimate(sn[0][n], sn[1][n]) for n in names}
    best = max(arm_values, key=lambda name: arm_values[name].value)
    sn_best = max(sn_arms, key=lambda name: sn_arms[name].value)
    results = [
        PolicyResult(
            learner=name,
            value=_estimate(ht[0][name], ht[1][name]),
            vs_best_arm=_difference(ht, name, best),
            self_normalized_vs_best_arm=_difference(sn, name, sn_best),
            arm_shares={design.arms[a]: float(np.mean(rule == a)) for a in range(k)},
            drivers=covariate_drivers(finals[name], x, design.covariates, names.index(best), seed)[
                :5
            ],
        )
        for name, rule in assigned.items()
    ]
    return PolicyEvaluation(
        dataset=design.name,
        outcome=f"{design.outcome}: {design.outcome_description}",
        n_patients=len(y),
        n_folds=n_folds,
        n_bootstrap=n_bootstrap,
        arms=arm_values,
        best_arm=best,
        arms_self_normalized=sn_arms,
        best_arm_self_normalized=sn_best,
        policies=results,
        conclusion=_conclusion(results, best, sn_best),
        randomization={design.arms[a]: float(p[a]) for a in range(k)},
        citation=str(design.cite),
    )


def _difference(
    values: tuple[dict[str, float], dict[str, np.ndarray]], name: str, best: str
) -> Estimate:
    """Paired difference of a rule to the best arm, bootstrapped on the same resamples."""
    points, draws = values
    return _estimate(points[name] - points[best], draws[name] - draws[best])


def _verdict(d: Estimate) -> str:
    if d.ci_low > 0:
        return "beats"
    if d.ci_high < 0:
        return "is worse than"
    return "does not beat (CI includes 0)"


def _conclusion(results: list[PolicyResult], best: str, sn_best: str) -> str:
    parts = []
    for r in results:
        d, s = r.vs_best_arm, r.self_normalized_vs_best_arm
        parts.append(
            f"{r.learner} rule {_verdict(d)} treating everyone with {best}: "
            f"difference {d.value:+.1f} (95% CI {d.ci_low:+.1f} to {d.ci_high:+.1f}); "
            f"self-normalized, it {_verdict(s)} {sn_best}: {s.value:+.1f} "
            f"({s.ci_low:+.1f} to {s.ci_high:+.1f})"
        )
    return "; ".join(parts)
