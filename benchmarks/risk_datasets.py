"""Risk models on the packaged real datasets: repeated CV, external sites and clinical scores.

For Pima, UCI heart (internal CV, and Cleveland → the other three sites), Framingham and
heart failure: each model family's AUROC (95% bootstrap CI on pooled out-of-fold
predictions), Brier score and calibration slope, printed beside the baseline run in the same
process (a published clinical score where one applies, else logistic regression), with the
AUROC ratio to that baseline.

    .venv/bin/python benchmarks/risk_datasets.py [--families logreg,gbm,lm] [--repeats 2]

The lm family (frozen MiniLM embeddings of each row written as text) is run only on one
70/30 Pima split, beside logistic regression on the same split: it is slow on CPU.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from medlm.evaluation.validation import cross_validate, external_validation
from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.study import baselines_for

DATASETS = ("pima", "uci-heart", "framingham", "heart-failure")


def _line(
    name: str, auroc: float, ci: tuple[float, float], brier: float, slope: float, base: float | None
) -> str:
    ratio = f"{auroc / base:.2f}x" if base else "-"
    return (
        f"  {name:<34} AUROC {auroc:.3f} ({ci[0]:.3f}-{ci[1]:.3f})  Brier {brier:.3f}  "
        f"slope {slope:.2f}  vs baseline {ratio}"
    )


def internal(dataset: str, families: list[str], folds: int, repeats: int) -> None:
    data = from_dataset(dataset)
    assert data.target is not None
    print(
        f"\n{dataset}: {len(data)} rows, {int(data.target.sum())} events ({data.outcome}); "
        f"{repeats}x{folds}-fold stratified CV"
    )
    base_auroc = None
    for baseline in baselines_for(data, list(data.features.columns), n_boot=500):
        m = baseline.metrics
        brier = m.brier if m else float("nan")
        slope = m.calibration_slope if m else float("nan")
        print(
            _line(
                f"baseline {baseline.score} (n={baseline.n})",
                baseline.auroc,
                baseline.auroc_ci,
                brier,
                slope,
                None,
            )
        )
        base_auroc = max(base_auroc or 0.0, baseline.auroc)
    for family in families:
        started = time.perf_counter()
        result = cross_validate(
            DiseaseRiskPredictor(family),  # type: ignore[arg-type]
            data.features,
            data.target,
            model=family,
            folds=folds,
            repeats=repeats,
            n_boot=500,
        )
        pooled = result.pooled
        if base_auroc is None and family == "logreg":
            base_auroc = pooled.auroc
        print(
            _line(
                f"{family} ({time.perf_counter() - started:.0f} s)",
                pooled.auroc,
                pooled.auroc_ci,
                pooled.brier,
                result.calibration_slope.mean,
                base_auroc,
            )
        )


def external(families: list[str]) -> None:
    data = from_dataset("uci-heart")
    assert data.target is not None
    sites = [str(s) for s in data.groups["site"]]
    print("\nuci-heart external: trained on Cleveland, evaluated on each other site")
    base: dict[str, float] = {}
    for family in families:
        _, results = external_validation(
            DiseaseRiskPredictor(family),  # type: ignore[arg-type]
            data.features,
            data.target,
            sites,
            train_site="Cleveland",
            model=family,
            n_boot=500,
        )
        for m in results:
            site = m.model.split("→ ")[1]
            base.setdefault(site, m.auroc)
            print(
                _line(
                    f"{m.model} (n={m.n})",
                    m.auroc,
                    m.auroc_ci,
                    m.brier,
                    m.calibration_slope,
                    base[site],
                )
            )


def lm_holdout(seed: int = 0) -> None:
    """The lm family is slow on CPU: one stratified 70/30 Pima split, beside logreg on it."""
    from sklearn.model_selection import train_test_split

    from medlm.evaluation.evaluate import evaluate_probabilities

    data = from_dataset("pima")
    assert data.target is not None
    idx = np.arange(len(data))
    train_idx, _ = train_test_split(idx, test_size=0.3, stratify=data.target, random_state=seed)
    mask = np.isin(idx, train_idx)
    train, test = data.subset(mask), data.subset(~mask)
    assert train.target is not None and test.target is not None
    print(f"\npima, one stratified 70/30 split (seed {seed}): lm family beside logreg")
    base = None
    for family in ("logreg", "lm"):
        started = time.perf_counter()
        model = DiseaseRiskPredictor(family).fit(train.features, train.target)  # type: ignore[arg-type]
        p = model.predict_proba(test.features)[:, 1]
        m = evaluate_probabilities(test.target, p, model=family, n_boot=500)
        base = base or m.auroc
        print(
            _line(
                f"{family} ({time.perf_counter() - started:.0f} s)",
                m.auroc,
                m.auroc_ci,
                m.brier,
                m.calibration_slope,
                base,
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", default="logreg,gbm")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    families = [f for f in args.families.split(",") if f != "lm"]
    np.seterr(all="ignore")
    if "lm" in args.families.split(","):
        lm_holdout()
    for dataset in DATASETS:
        internal(dataset, families, args.folds, args.repeats)
    external(families)


if __name__ == "__main__":
    main()
