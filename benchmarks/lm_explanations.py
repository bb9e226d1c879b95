"""Integrated gradients for the lm risk family on real Pima rows: completeness and cost.

Fits the lm family (frozen MiniLM, logistic regression) on a stratified 70/30 Pima split,
then explains held-out rows. Prints the completeness gap |sum of attributions - (f(x) -
f(x'))| (log-odds) for each quadrature rule and number of steps, and the time of one
`predict` (probability + reasons) per row with integrated gradients beside occlusion.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/lm_explanations.py [--rows 8] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from medlm.explain.integrated_gradients import attribute_tokens, pooled_linear_head
from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.lm_family import row_text_spans


def gaps(model: DiseaseRiskPredictor, frame: object, rows: int) -> None:
    pipeline = model.pipeline_
    embedder, scaler = pipeline.named_steps["embed"], pipeline.named_steps["scale"]
    linear = pipeline.named_steps["model"]
    records = pipeline.named_steps["zeros"].transform(frame).to_dict(orient="records")
    texts = [row_text_spans(r, embedder.units)[0] for r in records]
    head = pooled_linear_head(
        linear.coef_[0], float(linear.intercept_[0]), mean=scaler.mean_, scale=scaler.scale_
    )
    encoder = embedder._encoder()
    print(f"completeness gap on {rows} held-out rows (log-odds)")
    change_label = "median |f(x)-f(x')|"
    print(f"{'rule':<16}{'steps':>6}{'median |gap|':>14}{'max |gap|':>11}{change_label:>21}")
    for rule in ("riemann", "gauss-legendre"):
        for steps in (16, 32, 64):
            results = attribute_tokens(
                encoder.model, encoder.tokenizer, texts, head, steps=steps, rule=rule
            )
            gap = np.abs([r.completeness_gap for r in results])
            change = np.abs([r.output - r.baseline_output for r in results])
            print(
                f"{rule:<16}{steps:>6}{np.median(gap):>14.1e}{gap.max():>11.1e}"
                f"{np.median(change):>21.2f}"
            )


def timing(model: DiseaseRiskPredictor, frame: object, rows: int) -> None:
    seconds = {}
    for explainer in ("occlusion", "integrated_gradients"):
        model.set_params(lm_explainer=explainer)
        started = time.perf_counter()
        for i in range(rows):
            model.predict(frame.iloc[[i]])  # type: ignore[attr-defined]
        seconds[explainer] = (time.perf_counter() - started) / rows
    ig, occ = seconds["integrated_gradients"], seconds["occlusion"]
    print(f"\none predict (probability + 3 reasons) per row, mean of {rows} rows")
    print(f"occlusion                       {occ:6.2f} s")
    print(f"integrated gradients, 32 steps  {ig:6.2f} s   ({ig / occ:.1f} x occlusion)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = from_dataset("pima")
    assert data.target is not None
    idx = np.arange(len(data))
    train_idx, test_idx = train_test_split(idx, test_size=0.3, stratify=data.target, random_state=0)
    train = data.subset(np.isin(idx, train_idx))
    model = DiseaseRiskPredictor("lm").fit(train.features, train.target)  # type: ignore[arg-type]
    held_out = data.features.iloc[np.sort(test_idx)[: args.rows]].reset_index(drop=True)
    print(f"lm family fitted on {len(train_idx)} Pima rows; {args.threads} threads\n")
    gaps(model, held_out, args.rows)
    timing(model, held_out, args.rows)


if __name__ == "__main__":
    main()
