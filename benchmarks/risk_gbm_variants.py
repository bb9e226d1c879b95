"""Pima acceptance for gbm settings beside the defaults, in-process over many random splits.

For each seed a stratified 70/30 split of the 768 Pima rows (zeros as in the source); every
variant of `DiseaseRiskPredictor` is fitted on the 70% and scored on the 30%. Printed per
variant: mean, SD and lowest AUROC, calibration slope range, and on how many splits AUROC >= 0.80
with a slope in [0.7, 1.3]. The defaults are the baseline (`medlm risk train --model gbm` uses
them; `benchmarks/risk_pima_splits.py` runs the same splits through the CLI). Last, for the
splits where the defaults miss the AUROC bar: the AUROC on their held-out women of a logistic
regression fitted on all 768 rows, those women included (a leaky upper bound for a linear
model, not a usable model).

    .venv/bin/python benchmarks/risk_gbm_variants.py --seeds 100
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from medlm.evaluation.metrics import auroc, calibration_intercept_slope
from medlm.risk.estimator import DiseaseRiskPredictor
from risk_pima_splits import source_frame

VARIANTS: dict[str, dict[str, Any]] = {
    "gbm defaults": {"family": "gbm"},
    "stumps, 400 trees": {"family": "gbm", "num_leaves": 2, "n_estimators": 400},
    "stumps, 300 trees": {"family": "gbm", "num_leaves": 2, "n_estimators": 300},
    "min 40 rows per leaf": {"family": "gbm", "min_child_samples": 40},
    "rate 0.02, 400 trees": {"family": "gbm", "learning_rate": 0.02, "n_estimators": 400},
    "logreg defaults": {"family": "logreg"},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    frame = source_frame()
    X, y = frame.drop(columns=["Outcome"]), frame["Outcome"].to_numpy()

    def split(seed: int) -> tuple[np.ndarray, np.ndarray]:
        train, test = train_test_split(
            np.arange(len(y)), test_size=0.3, stratify=y, random_state=seed
        )
        return train, test

    scores: dict[str, list[tuple[float, float]]] = {name: [] for name in VARIANTS}
    for seed in range(args.seeds):
        train, test = split(seed)
        for name, params in VARIANTS.items():
            model = DiseaseRiskPredictor(**params).fit(X.iloc[train], y[train])
            p = model.predict_proba(X.iloc[test])[:, 1]
            scores[name].append((auroc(y[test], p), calibration_intercept_slope(y[test], p)[1]))
    misses = [seed for seed, (a, _) in enumerate(scores["gbm defaults"]) if a < 0.80]
    base = np.asarray(scores["gbm defaults"])[:, 0].mean()
    print(f"{'variant':<22} {'AUROC mean':>10} {'SD':>6} {'min':>6} {'slope range':>12} "
          f"{'bar met':>8} {'AUROC / defaults':>16}")  # fmt: skip
    for name, rows in scores.items():
        a, s = np.asarray(rows).T
        met = int(((a >= 0.80) & (s >= 0.7) & (s <= 1.3)).sum())
        print(
            f"{name:<22} {a.mean():>10.4f} {a.std():>6.3f} {a.min():>6.3f} "
            f"{s.min():>5.2f}-{s.max():<6.2f} {met:>4}/{args.seeds:<3} {a.mean() / base:>16.3f}"
        )
    leaky = DiseaseRiskPredictor("logreg").fit(X, y)
    print("\nsplits where gbm defaults have AUROC < 0.80: gbm AUROC / leaky logreg upper bound")
    for seed in misses:
        _, test = split(seed)
        bound = auroc(y[test], leaky.predict_proba(X.iloc[test])[:, 1])
        print(f"  seed {seed:>3}: {scores['gbm defaults'][seed][0]:.3f} / {bound:.3f}")


if __name__ == "__main__":
    main()
