"""Encoder inference throughput: medlm vs transformers' BertModel on the same MiniLM weights.

Both models run the same (32, 128) batch of token ids under `torch.inference_mode`, with the
same thread count, alternating repeats; the script prints sequences/s of each (from the
fastest repeat, the figure least disturbed by other work on a shared machine; the median is
printed too) and the ratio.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/lm_inference.py [--threads N] [--repeats R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import torch

from medlm.lm.hardware import machine_info
from medlm.lm.models import Batch
from medlm.lm.pretrained import load_pretrained, resolve_model_folder

BATCH, TOKENS = 32, 128


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--verbose", action="store_true", help="print every repeat's seconds")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from transformers import BertModel

    ours, _ = load_pretrained("minilm")
    reference = BertModel.from_pretrained(str(resolve_model_folder("minilm"))).eval()
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, 30000, (BATCH, TOKENS), generator=generator)
    mask = torch.ones(BATCH, TOKENS, dtype=torch.bool)

    def run_ours() -> object:
        return ours(Batch(ids, mask)).hidden

    def run_reference() -> object:
        return reference(input_ids=ids, attention_mask=mask.long()).last_hidden_state

    with torch.inference_mode():
        diff = (run_ours() - run_reference()).abs().max().item()  # type: ignore[operator]
        # (the line above is also the warm-up pass of each model)
        times: dict[str, list[float]] = {"medlm": [], "transformers": []}
        for _ in range(args.repeats):  # alternate so both see the same machine load
            times["medlm"].append(_time(run_ours))
            times["transformers"].append(_time(run_reference))
    best = {name: BATCH / min(t) for name, t in times.items()}
    median = {name: BATCH / statistics.median(t) for name, t in times.items()}
    info = machine_info()
    print(f"{info.cpu_model} (bf16 native: {info.bf16_supported}); load average {os.getloadavg()}")
    print(
        f"threads={args.threads} batch={BATCH} tokens={TOKENS} repeats={args.repeats} "
        f"(after one warm-up pass each); max |diff| = {diff:.2e}"
    )
    for name in times:
        print(f"{name:>13}: {best[name]:8.1f} sequences/s best, {median[name]:8.1f} median")
    print(
        f"ratio medlm / transformers = {best['medlm'] / best['transformers']:.3f} best, "
        f"{median['medlm'] / median['transformers']:.3f} median"
    )
    if args.verbose:
        print({name: [round(x, 3) for x in t] for name, t in times.items()})


if __name__ == "__main__":
    main()
