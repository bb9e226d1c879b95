"""Training throughput and model FLOP utilisation (MFU) of medlm's Trainer, fp32 and bf16.

A MiniLM-sized causal LM (d_model 384, 6 layers, 12 heads, d_ff 1536, vocabulary 8,000)
trains on synthetic token ids (batch 16 x 128 tokens) through `Trainer.fit`. Each precision
runs in its own process so that its peak memory (max RSS) is its own. The machine's matmul
peak is measured in the same run, right after (the best rate of square matmuls and of the
model's own matmul shapes, fp32 and bf16, same threads); MFU is model
FLOPs per second divided by that peak. Model FLOPs per token: 6 x (non-embedding + output
projection parameters) + 12 x layers x tokens x d_model (attention), the usual estimate.

    .venv/bin/python benchmarks/lm_training.py [--threads N] [--steps S]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from typing import Any

import torch

BATCH, TOKENS, VOCAB = 16, 128, 8000
MODEL = {
    "vocab_size": VOCAB,
    "d_model": 384,
    "n_heads": 12,
    "n_layers": 6,
    "d_ff": 1536,
    "max_length": TOKENS,
    "architecture": "decoder",
    "norm_position": "pre",
    "dropout": 0.0,
    "attention_dropout": 0.0,
}


# (m, k, n) matmul shapes tried for the peak: square ones and the model's own.
PEAK_SHAPES = [
    (1024, 1024, 1024),
    (2048, 2048, 2048),
    (4096, 4096, 4096),
    (BATCH * TOKENS, 384, 1536),
    (BATCH * TOKENS, 1536, 384),
    (BATCH * TOKENS, 384, VOCAB),
]


def matmul_peak(dtype: torch.dtype, repeats: int = 3) -> float:
    """Best FLOP/s of any (m, k) @ (k, n) matmul of PEAK_SHAPES in `dtype`."""
    best_rate = 0.0
    for m, k, n in PEAK_SHAPES:
        a, b = torch.randn(m, k).to(dtype), torch.randn(k, n).to(dtype)
        a @ b
        for _ in range(repeats):
            start = time.perf_counter()
            a @ b
            best_rate = max(best_rate, 2 * m * k * n / (time.perf_counter() - start))
    return best_rate


def model_flops_per_token() -> float:
    from medlm.lm.config import TransformerConfig
    from medlm.lm.models import CausalLanguageModel

    config = TransformerConfig(**MODEL)  # type: ignore[arg-type]
    model = CausalLanguageModel(config)
    embeddings = sum(p.numel() for p in model.transformer.embeddings.parameters())
    params = sum(p.numel() for p in model.parameters()) - embeddings
    output_projection = config.d_model * config.vocab_size  # tied: counted once here
    return 6 * (params + output_projection) + 12 * config.n_layers * TOKENS * config.d_model


def train_run(precision: str, threads: int, steps: int) -> dict[str, Any]:
    """One training run in this process; returns tokens/s and peak RSS."""
    torch.set_num_threads(threads)
    from medlm.lm.config import TransformerConfig
    from medlm.lm.models import CausalLanguageModel
    from medlm.training import Callback, CausalLM, Example, Trainer, TrainingSettings

    stamps: list[float] = []

    class Clock(Callback):
        def on_step_end(self, trainer: object, step: int, loss: float) -> None:
            stamps.append(time.perf_counter())

    torch.manual_seed(0)
    model = CausalLanguageModel(TransformerConfig(**MODEL))  # type: ignore[arg-type]
    ids = torch.randint(1, VOCAB, (BATCH * (steps + 1), TOKENS))
    data = [Example(row.tolist()) for row in ids]
    settings = TrainingSettings(epochs=1, batch_size=BATCH, precision=precision, device="cpu")
    Trainer(settings, CausalLM(pad_id=0), callbacks=[Clock()]).fit(model, data)
    seconds = stamps[-1] - stamps[0]  # the first step is warm-up
    return {
        "tokens_per_s": BATCH * TOKENS * (len(stamps) - 1) / seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    flops = model_flops_per_token()
    runs = {}
    context = multiprocessing.get_context("spawn")
    for precision in ("fp32", "bf16"):
        with context.Pool(1) as pool:
            runs[precision] = pool.apply(train_run, (precision, args.threads, args.steps))
    peaks = {"fp32": matmul_peak(torch.float32), "bf16": matmul_peak(torch.bfloat16)}
    print(
        f"threads={args.threads} batch={BATCH}x{TOKENS} timed steps={args.steps} "
        f"(synthetic token ids); model GFLOP/token={flops / 1e9:.3f}"
    )
    for name, peak in peaks.items():
        print(f"measured matmul peak {name}: {peak / 1e9:8.1f} GFLOP/s")
    for precision, run in runs.items():
        achieved = run["tokens_per_s"] * flops
        print(
            f"{precision}: {run['tokens_per_s']:8.1f} tokens/s, {achieved / 1e9:7.1f} GFLOP/s, "
            f"MFU {achieved / peaks[precision]:.1%} of {precision} peak, "
            f"{achieved / peaks['bf16']:.1%} of bf16 peak, peak RSS {run['peak_rss_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
