"""A sentence-role model against its ONNX exports (fp32, int8) on the same held-out sentences.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/role_export.py --model DIR [--out PREFIX]

DIR is a role-model folder of either kind (`medlm lm finetune --task sentence-roles`, with or
without `--recipe best`). The script exports it with `export_role_model` to PREFIX-fp32 and
PREFIX-int8 (reused when they already hold an export), then labels every sentence of the split
with the torch model and with each export, all with the model's validation-chosen decisions,
and prints side by side: macro-F1 and its difference to torch, accuracy, OBJECTIVE F1, the
share of sentences labelled as torch labels them, and wall seconds (loading included) with
sentences/s, under the CPU model, matmul peaks and load average of the same run.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import torch

from medlm.lm.hardware import machine_info, matmul_peak
from medlm.training.role_evaluation import model_decisions, role_metrics
from medlm.training.role_export import export_role_model, is_role_export
from medlm.training.role_sequence import by_abstract
from medlm.training.sentence_roles import load_role_sentences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--out", type=Path, help="Export prefix (default: DIR-onnx).")
    parser.add_argument("--split", default="test", choices=["test", "validation"])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    info = machine_info()
    print(f"CPU: {info.cpu_model}; threads {args.threads}; bf16 {info.bf16_supported}")
    print(
        f"matmul peaks: fp32 {matmul_peak(torch.float32) / 1e9:.0f} GFLOP/s, "
        f"bf16 {matmul_peak(torch.bfloat16) / 1e9:.0f} GFLOP/s; "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    prefix = args.out or args.model.with_name(args.model.name + "-onnx")
    paths = {"torch": args.model}
    for precision in ("fp32", "int8"):
        folder = prefix.with_name(f"{prefix.name}-{precision}")
        if not is_role_export(folder):
            started = time.perf_counter()
            export_role_model(args.model, folder, precision)
            print(f"exported {precision} to {folder} in {time.perf_counter() - started:.0f} s")
        paths[f"ONNX {precision}"] = folder
    sentences = load_role_sentences(args.split)
    gold = [s.label for s in sentences]
    abstracts = len(by_abstract(sentences))
    print(f"{args.split}: {len(sentences)} sentences, {abstracts} abstracts")
    reference: list[str] | None = None
    print(f"{'path':<10} {'macro-F1':>9} {'vs torch':>9} {'accuracy':>9} {'OBJ F1':>7} "
          f"{'as torch':>9} {'wall s':>7} {'sent/s':>7}")  # fmt: skip
    for name, folder in paths.items():
        started = time.perf_counter()
        predicted = model_decisions(folder, sentences).predicted
        seconds = time.perf_counter() - started
        m = role_metrics(gold, predicted, model=name, split=args.split, abstracts=abstracts,
                         seconds=seconds)  # fmt: skip
        if reference is None:
            reference, torch_f1 = predicted, m.macro_f1
        same = sum(a == b for a, b in zip(predicted, reference, strict=True)) / len(gold)
        print(f"{name:<10} {m.macro_f1:>9.4f} {m.macro_f1 - torch_f1:>+9.4f} {m.accuracy:>9.4f} "
              f"{m.per_class_f1['OBJECTIVE']:>7.3f} {same:>9.4f} {seconds:>7.0f} "
              f"{len(gold) / seconds:>7.1f}")  # fmt: skip
    print(f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
