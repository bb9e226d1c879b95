"""The fine-tuned language-model risk classifier against logistic regression and gradient
boosting on the packaged risk datasets, with 95% bootstrap CIs, in one run.

For each dataset: one stratified 70/30 split (seed 0; for Pima the same split as the frozen lm
family's row in docs/benchmarks.md). logreg, gbm and the frozen lm family
(`DiseaseRiskPredictor` defaults) fit on the 70%. The fine-tuned classifier
(`medlm.risk.lm_finetune.FineTunedTextClassifier`: MiniLM fine-tuned end to end on the rows
written as text, bf16 autocast where the CPU supports it) fits on 80% of that 70% and uses the
other 20% (stratified, seed 0) to choose its epoch and fit its Platt recalibration. The 30% test
rows are scored once, after every model is fitted; nothing is chosen on them.

Printed per model: AUROC with its 95% percentile-bootstrap CI (1,000 resamples of the test
rows), Brier score, calibration slope, fit time; and the paired bootstrap (same resamples for
both models) of the AUROC difference fine-tuned lm minus each other model, with its 95% CI.
The CPU, threads and load average are printed beside the figures.

    .venv/bin/python benchmarks/risk_lm_family.py [--datasets pima,heart-failure] [--epochs 4]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import numpy as np
import torch

from medlm.evaluation.evaluate import evaluate_probabilities
from medlm.evaluation.metrics import auroc
from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.lm_finetune import FineTunedTextClassifier
from medlm.risk.pipeline import zero_impossible_columns
from medlm.risk.records import mapping_for_columns

N_BOOT = 1000


def paired_auroc_difference(
    y: np.ndarray, p_a: np.ndarray, p_b: np.ndarray, seed: int = 0
) -> tuple[float, float, float]:
    """AUROC(a) - AUROC(b) and its 95% percentile CI over the same bootstrap resamples."""
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(N_BOOT):
        idx = rng.integers(0, len(y), len(y))
        if len(np.unique(y[idx])) < 2:
            continue
        diffs.append(auroc(y[idx], p_a[idx]) - auroc(y[idx], p_b[idx]))
    low, high = np.percentile(diffs, [2.5, 97.5])
    return auroc(y, p_a) - auroc(y, p_b), float(low), float(high)


def split(dataset: str, seed: int = 0) -> tuple[Any, Any]:
    from sklearn.model_selection import train_test_split

    data = from_dataset(dataset)
    assert data.target is not None
    idx = np.arange(len(data))
    train_idx, _ = train_test_split(idx, test_size=0.3, stratify=data.target, random_state=seed)
    mask = np.isin(idx, train_idx)
    return data.subset(mask), data.subset(~mask)


def finetuned(train: Any, epochs: int) -> FineTunedTextClassifier:
    columns = [str(c) for c in train.features.columns]
    mapping = mapping_for_columns(columns)
    return FineTunedTextClassifier(
        "minilm",
        units=mapping.units if mapping else {},
        zero_missing=zero_impossible_columns(columns),
        epochs=epochs,
    )


def run_dataset(dataset: str, epochs: int) -> None:
    train, test = split(dataset)
    print(
        f"\n{dataset}: {len(train)} training rows ({int(train.target.sum())} events), "
        f"{len(test)} test rows ({int(test.target.sum())} events)"
    )
    models: dict[str, Any] = {
        "logreg": DiseaseRiskPredictor("logreg"),
        "gbm": DiseaseRiskPredictor("gbm"),
        "lm (frozen MiniLM + logreg)": DiseaseRiskPredictor("lm"),
        "lm fine-tuned, Platt on validation": finetuned(train, epochs),
    }
    probabilities: dict[str, np.ndarray] = {}
    for name, model in models.items():
        started = time.perf_counter()
        model.fit(train.features, train.target)
        seconds = time.perf_counter() - started
        probabilities[name] = model.predict_proba(test.features)[:, 1]
        m = evaluate_probabilities(test.target, probabilities[name], model=name, n_boot=N_BOOT)
        extra = ""
        if isinstance(model, FineTunedTextClassifier):
            extra = (
                f", {model.precision_used_}, best epoch {(model.best_epoch_ or 0) + 1}/{epochs}"
                f" (fit {model.n_fit_} rows, validation {model.n_validation_})"
            )
        print(
            f"  {name:<36} AUROC {m.auroc:.3f} ({m.auroc_ci[0]:.3f}-{m.auroc_ci[1]:.3f})  "
            f"Brier {m.brier:.3f}  slope {m.calibration_slope:.2f}  fit {seconds:.0f} s{extra}"
        )
    tuned = probabilities["lm fine-tuned, Platt on validation"]
    y = np.asarray(test.target)
    for name in ("logreg", "gbm", "lm (frozen MiniLM + logreg)"):
        diff, low, high = paired_auroc_difference(y, tuned, probabilities[name])
        print(f"  fine-tuned lm - {name:<28} AUROC {diff:+.3f} (95% CI {low:+.3f} to {high:+.3f})")


def main() -> None:
    from medlm.lm.hardware import machine_info

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="pima")
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    np.seterr(all="ignore")
    info = machine_info()
    before = os.getloadavg()
    started = time.perf_counter()
    for dataset in args.datasets.split(","):
        run_dataset(dataset, args.epochs)
    after = os.getloadavg()
    print(
        f"\nCPU: {info.cpu_model} ({' '.join(info.cpu_flags)}), threads "
        f"{torch.get_num_threads()}, bf16 supported {info.bf16_supported}; load average "
        f"(1/5/15 min) before {'/'.join(f'{x:.1f}' for x in before)}, after "
        f"{'/'.join(f'{x:.1f}' for x in after)}; total {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
