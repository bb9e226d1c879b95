"""Policy evaluation on randomized trials: learned treatment rules against the best single arm.

Every patient's assigned arm comes from models fitted on the other folds (cross-fitting), so the
evaluation is on held-out patients. Values are inverse-probability-weighted means with the
trial's known randomization probabilities, V(π) = mean(1[a_i = π(x_i)] y_i / p_{a_i}), with
percentile bootstrap CIs over patients; the difference to the best single arm is bootstrapped
on the same resamples (paired). The best single arm is chosen on all patients, which favours
the baseline: personalization is only called better when the paired CI excludes zero.
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
    policies: list[PolicyResult]
    conclusion: str
    randomization: dict[str, float]
    citation: str
    disclaimer: str = DISCLAIMER


def ipw_value(arms: np.ndarray, y: np.ndarray, assigned: np.ndarray, p: np.ndarray) -> float:
    """Horvitz–Thompson value of a rule that assigns `assigned` (known propensities `p`)."""
    return float(np.mean((arms == assigned) * y / p[arms]))


def _bootstrap(
    arms: np.ndarray, y: np.ndarray, rules: dict[str, np.ndarray], p: np.ndarray, n: int, seed: int
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), size=(n, len(y)))  # (B, N)
    out = {}
    for name, assigned in rules.items():
        contrib = (arms == assigned) * y / p[arms]
        out[name] = contrib[idx].mean(axis=1)
    return out


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
    draws = _bootstrap(arms, y, rules, p, n_bootstrap, seed)
    arm_values = {
        design.arms[a]: _estimate(
            ipw_value(arms, y, rules[design.arms[a]], p), draws[design.arms[a]]
        )
        for a in range(k)
    }
    best = max(arm_values, key=lambda name: arm_values[name].value)
    best_index = next(a for a in range(k) if design.arms[a] == best)
    results = []
    for name, rule in assigned.items():
        final = finals[name]
        value = ipw_value(arms, y, rule, p)
        diff = _estimate(value - arm_values[best].value, draws[name] - draws[best])
        shares = {design.arms[a]: float(np.mean(rule == a)) for a in range(k)}
        drivers = covariate_drivers(final, x, design.covariates, best_index, seed)[:5]
        results.append(
            PolicyResult(
                learner=name,
                value=_estimate(value, draws[name]),
                vs_best_arm=diff,
                arm_shares=shares,
                drivers=drivers,
            )
        )
    return PolicyEvaluation(
        dataset=design.name,
        outcome=f"{design.outcome}: {design.outcome_description}",
        n_patients=len(y),
        n_folds=n_folds,
        n_bootstrap=n_bootstrap,
        arms=arm_values,
        best_arm=best,
        policies=results,
        conclusion=_conclusion(results, best),
        randomization={design.arms[a]: float(p[a]) for a in range(k)},
        citation=str(design.cite),
    )


def _conclusion(results: list[PolicyResult], best: str) -> str:
    parts = []
    for r in results:
        d = r.vs_best_arm
        if d.ci_low > 0:
            verdict = "beats"
        elif d.ci_high < 0:
            verdict = "is worse than"
        else:
            verdict = "does not beat (CI includes 0)"
        parts.append(
            f"{r.learner} rule {verdict} treating everyone with {best}: "
            f"difference {d.value:+.1f} (95% CI {d.ci_low:+.1f} to {d.ci_high:+.1f})"
        )
    return "; ".join(parts)
