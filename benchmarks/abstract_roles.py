"""The abstract-level sentence-role model against TF-IDF + LR with the same cues, per split.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/abstract_roles.py --model DIR \
        [--baseline] [--speed]

DIR is a folder written by `medlm lm finetune --task sentence-roles --recipe best`. For each of
the validation and test splits: macro-F1, accuracy and per-class F1 of the model (its
validation-chosen decisions, and the plain argmax) and, with `--baseline`, of the TF-IDF + LR
baseline (`tfidf_roles.TfidfRoleBaseline`, fitted on all training sentences, biases and transition
weight chosen on validation, as `lm evaluate --model tfidf` does). `--speed` also times the
encoder stage on 512 validation sentences in fp32 and bf16 (the estimate for a CPU without
bf16), printed with the CPU model, matmul peaks and load average of the same run.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import torch

from medlm.datasets.medline_corpus import ROLES
from medlm.lm.hardware import machine_info, matmul_peak
from medlm.training.abstract_features import sentence_vectors
from medlm.training.abstract_model import AbstractRoleModel
from medlm.training.finetuning import role_metrics
from medlm.training.role_calibration import calibrate, decide
from medlm.training.sentence_roles import load_role_sentences


def _row(name: str, gold: list[str], ids: list[int], abstracts: int) -> str:
    m = role_metrics(gold, [ROLES[i] for i in ids], model=name, split="", abstracts=abstracts,
                     seconds=0.0)  # fmt: skip
    per = " / ".join(f"{m.per_class_f1[r]:.3f}" for r in ROLES)
    return f"  {name:<34} macro-F1 {m.macro_f1:.4f}  acc {m.accuracy:.4f}  B/O/M/R/C {per}"


def quality(model: AbstractRoleModel, with_baseline: bool) -> None:
    from medlm.training.tfidf_roles import TfidfRoleBaseline

    validation = load_role_sentences("validation")
    if with_baseline:
        started = time.perf_counter()
        baseline = TfidfRoleBaseline(journal=model.journal).fit(load_role_sentences("train"))
        seconds = time.perf_counter() - started
        print(f"TF-IDF + LR baseline fitted on the training split in {seconds:.0f} s")
        base_cal = calibrate(validation, baseline.predict_proba(validation), baseline.transitions_)
    for split in ("validation", "test"):
        sentences = validation if split == "validation" else load_role_sentences("test")
        gold, n = [s.label for s in sentences], len({s.pmid for s in sentences})
        started = time.perf_counter()
        probs = model.probabilities(sentences)
        seconds = time.perf_counter() - started
        c = model.calibration_
        assert c is not None
        print(f"{split}: {len(sentences)} sentences, {n} abstracts (model {seconds:.0f} s)")
        decided = decide(sentences, probs, model.transitions_, c.bias, c.transition_weight)
        print(_row("abstract model", gold, decided, n))
        print(_row("abstract model, plain argmax", gold, list(probs.argmax(axis=1)), n))
        if not with_baseline:
            continue
        base = baseline.predict_proba(sentences)
        weight = base_cal.transition_weight
        base_ids = decide(sentences, base, baseline.transitions_, base_cal.bias, weight)
        print(_row("TF-IDF + LR, validation biases", gold, base_ids, n))
        print(_row("TF-IDF + LR, plain argmax", gold, list(base.argmax(axis=1)), n))


def speed(model: AbstractRoleModel) -> None:
    info = machine_info()
    print(
        f"CPU {info.cpu_model}, {info.threads} threads, bf16 {info.bf16_supported}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"matmul peaks: fp32 {matmul_peak(torch.float32) / 1e9:.0f} GFLOP/s, "
        f"bf16 {matmul_peak(torch.bfloat16) / 1e9:.0f} GFLOP/s"
    )
    texts = [s.text for s in load_role_sentences("validation")[:512]]
    encoder = model.text_encoder()
    for precision in ("fp32", "bf16"):
        started = time.perf_counter()
        sentence_vectors(encoder, texts, precision=precision)
        rate = len(texts) / (time.perf_counter() - started)
        print(
            f"encoder stage {precision}: {rate:.0f} sentences/s "
            f"(52,191 train + validation sentences: {52_191 / rate / 60:.1f} min)"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--baseline", action="store_true", help="Also fit TF-IDF + LR (minutes).")
    args = parser.parse_args()
    model = AbstractRoleModel.load(args.model)
    print(f"model {args.model}: encoder {model.encoder}, layers {model.encoder_layers}")
    quality(model, args.baseline)
    if args.speed:
        speed(model)
    np.set_printoptions(precision=3)


if __name__ == "__main__":
    main()
