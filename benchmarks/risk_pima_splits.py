"""Pima acceptance across random splits: medlm's gbm and logreg beside the best clinical score.

For each seed: a stratified 70/30 split of the 768 Pima rows, written as CSV (zeros as in the
source), `medlm risk train --model F` on the 70% and `medlm risk evaluate --json` on the 30%,
through the CLI exactly as a user would run it. Printed per seed, and summarised: how many
splits reach AUROC >= 0.80 with a calibration slope in [0.7, 1.3]; the partial FINDRISC
(age and BMI items only) on the same held-out women is the baseline, as a ratio.

    .venv/bin/python benchmarks/risk_pima_splits.py --seeds 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from medlm.datasets import load
from medlm.evaluation.metrics import auroc
from medlm.risk.baselines import partial_points

ZERO_CODED = ("Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI")
MEDLM = [str(Path(sys.executable).with_name("medlm"))]


def _cli(*args: str) -> str:
    env = {**os.environ, "MEDLM_RISK__BOOTSTRAP": "200", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [*MEDLM, "risk", *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def source_frame() -> pd.DataFrame:
    """The 768 Pima rows as the source CSV has them: 0 where a value was not measured."""
    frame = load("pima").frame.copy()
    for column in ZERO_CODED:
        frame[column] = frame[column].fillna(0.0)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--families", default="gbm,logreg")
    args = parser.parse_args()
    frame = source_frame()
    families = args.families.split(",")
    passed = dict.fromkeys(families, 0)
    results: dict[str, list[tuple[float, float]]] = {f: [] for f in families}
    baseline: list[float] = []
    print(
        f"{'seed':>4} "
        + " ".join(f"{f + ' AUROC':>12} {'slope':>6}" for f in families)
        + f" {'FINDRISC*':>10}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for seed in range(args.seeds):
            train, test = train_test_split(
                frame, test_size=0.3, stratify=frame["Outcome"], random_state=seed
            )
            train.to_csv(folder / "train.csv", index=False)
            test.to_csv(folder / "test.csv", index=False)
            row = [f"{seed:>4}"]
            for family in families:
                model = folder / f"M-{family}"
                _cli(
                    "train",
                    "--data",
                    str(folder / "train.csv"),
                    "--target",
                    "Outcome",
                    "--model",
                    family,
                    "--out",
                    str(model),
                )
                metrics = json.loads(
                    _cli(
                        "evaluate",
                        "--model",
                        str(model),
                        "--data",
                        str(folder / "test.csv"),
                        "--target",
                        "Outcome",
                        "--json",
                    )
                )
                a, s = metrics["auroc"], metrics["calibration_slope"]
                results[family].append((a, s))
                passed[family] += int(a >= 0.80 and 0.7 <= s <= 1.3)
                row.append(f"{a:>12.3f} {s:>6.2f}")
            test_nan = test.replace({c: {0.0: np.nan} for c in ZERO_CODED})
            points, _ = partial_points(test_nan, "findrisc", age="Age", bmi="BMI", male=False)
            baseline.append(auroc(test["Outcome"].to_numpy(), points))
            row.append(f"{baseline[-1]:>10.3f}")
            print(" ".join(row), flush=True)
    print("\n* FINDRISC from its age and BMI items only (the other six items are not in Pima)")
    base = float(np.mean(baseline))
    for family in families:
        arr = np.asarray(results[family])
        print(
            f"{family}: AUROC mean {arr[:, 0].mean():.3f} (min {arr[:, 0].min():.3f}), "
            f"slope mean {arr[:, 1].mean():.2f} ({arr[:, 1].min():.2f}-{arr[:, 1].max():.2f}); "
            f"acceptance met on {passed[family]}/{args.seeds} splits; "
            f"AUROC ratio to partial FINDRISC {arr[:, 0].mean() / base:.2f}x"
        )


if __name__ == "__main__":
    main()
