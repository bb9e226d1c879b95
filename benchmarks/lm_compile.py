"""torch.compile for encoder inference: compile time, then compiled vs eager sentences/s.

Real MEDLINE sentences through `TextEncoder` (length-bucketed batches, so every batch has its
own sequence length: `dynamic=True`), one warm-up pass that triggers compilation (timed), then
eager and compiled runs alternating. Prints CPU model, threads and load average beside the
figures, and the lowest cosine of compiled to eager embeddings.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/lm_compile.py [--sentences 256]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from medlm.lm.encoding import TextEncoder
from medlm.lm.hardware import machine_info
from medlm.training.sentence_roles import load_role_sentences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    info = machine_info()
    print(f"{info.cpu_model}; {info.threads} threads; torch {info.torch_version}")
    print(f"load average before {os.getloadavg()}")
    texts = [s.text for s in load_role_sentences("validation")][: args.sentences]
    eager = TextEncoder.from_pretrained("minilm")
    compiled = TextEncoder(
        torch.compile(eager.model, dynamic=True),  # type: ignore[arg-type]
        eager.tokenizer,
        name="minilm (compiled)",
    )
    eager.embed(texts[:32])
    start = time.perf_counter()
    compiled.embed(texts[:32])
    print(f"first compiled batch (compilation): {time.perf_counter() - start:.0f} s")
    seconds = {"eager": 0.0, "compiled": 0.0}
    outputs: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):
        for name, encoder in (("eager", eager), ("compiled", compiled)):
            start = time.perf_counter()
            outputs[name] = encoder.embed(texts)
            seconds[name] += time.perf_counter() - start
    for name, total in seconds.items():
        print(f"{name:9s} {args.repeats * len(texts) / total:7.1f} sentences/s")
    cosine = (outputs["eager"] * outputs["compiled"]).sum(axis=1).min()
    ratio = seconds["eager"] / seconds["compiled"]
    print(f"compiled / eager: {ratio:.2f}x, lowest cosine {cosine:.6f}")
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
