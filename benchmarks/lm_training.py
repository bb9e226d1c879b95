"""Training at the machine's limit: medlm's Trainer in fp32 and bf16, MFU against peaks measured
in the same run, fused against multi-tensor AdamW, torch.compile against eager, and MiniLM
fine-tuning of the sentence-role classifier in fp32 and bf16.

Part 1, a MiniLM-sized causal LM (d_model 384, 6 layers, 12 heads, d_ff 1536, vocabulary 8,000)
trains on synthetic token ids (batch 16 x 128 tokens) through `Trainer.fit` in several
variants: fp32 and bf16 autocast, fused AdamW or the multi-tensor one, eager or
`torch.compile`. Part 2, the imported MiniLM (`load_pretrained("minilm")`) with a 5-role head
fine-tunes on real MEDLINE training sentences (`load_role_sentences("train")`, the layout of the
sentence-role task: sentence plus neighbour cues) through `Trainer.fit`, batch 32, fp32 and
bf16: sentences/s. Part 3 times the optimizer step alone (fused, multi-tensor and per-parameter
AdamW over the causal LM's parameters).

Each training variant runs in its own process (its peak memory is its own); the first step of
each is warm-up (and compilation) and is not timed. The machine (CPU model, instruction-set
flags, threads), its load average and its fp32 and bf16 matmul peaks
(`medlm.lm.hardware.matmul_peak`, square shapes and the model's own) are measured in the same
run; MFU is model FLOPs per second over the peak of the precision that ran, measured in the
training run's own process right after its timed steps (the load of a shared machine moves).
Model FLOPs per token: 6 x (non-embedding + output-projection parameters) + 12 x layers x
tokens x d_model (attention), the usual estimate; padded tokens count for the classifier
(they are computed).

    .venv/bin/python benchmarks/lm_training.py [--threads N] [--steps S] [--skip-compile]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import time
from typing import Any

import torch

from medlm.training import Callback

BATCH, TOKENS, VOCAB = 16, 128, 8000
ROLE_BATCH = 32
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
# (name, precision, fused optimizer, compile)
CAUSAL_VARIANTS = [
    ("fp32", "fp32", True, False),
    ("bf16", "bf16", True, False),
    ("bf16, multi-tensor AdamW", "bf16", False, False),
    ("fp32, multi-tensor AdamW", "fp32", False, False),
    ("bf16, torch.compile", "bf16", True, True),
    ("fp32, torch.compile", "fp32", True, True),
]
PEAK_SHAPES = (
    (1024, 1024, 1024),
    (2048, 2048, 2048),
    (BATCH * TOKENS, 384, 1536),
    (BATCH * TOKENS, 1536, 384),
    (BATCH * TOKENS, 384, VOCAB),
)


def flops_per_token(model: Any, tokens: int, embeddings: int, output_projection: int) -> float:
    """6 x (non-embedding + output projection parameters) + 12 x layers x tokens x width."""
    params = sum(p.numel() for p in model.parameters()) - embeddings
    config = model.config
    return 6 * (params + output_projection) + 12 * config.n_layers * tokens * config.d_model


def causal_model() -> Any:
    from medlm.lm.config import TransformerConfig
    from medlm.lm.models import CausalLanguageModel

    torch.manual_seed(0)
    return CausalLanguageModel(TransformerConfig(**MODEL))  # type: ignore[arg-type]


class StepClock(Callback):
    """A Trainer callback that stamps the end of every optimizer step."""

    def __init__(self) -> None:
        self.stamps: list[float] = []

    def on_step_end(self, trainer: object, step: int, loss: float) -> None:
        self.stamps.append(time.perf_counter())


def causal_run(precision: str, fused: bool, compile_: bool, threads: int, steps: int) -> dict:
    """One causal-LM training run in this process: tokens/s, peak RSS, what ran."""
    torch.set_num_threads(threads)
    from medlm.training import CausalLM, Example, Trainer, TrainingSettings

    model = causal_model()
    ids = torch.randint(1, VOCAB, (BATCH * (steps + 1), TOKENS))
    data = [Example(row.tolist()) for row in ids]
    settings = TrainingSettings(
        epochs=1,
        batch_size=BATCH,
        precision=precision,
        fused_optimizer=fused,
        compile=compile_,
        device="cpu",
    )
    clock = StepClock()
    trainer = Trainer(settings, CausalLM(pad_id=0), callbacks=[clock])
    started = time.perf_counter()
    trainer.fit(model, data)
    seconds = clock.stamps[-1] - clock.stamps[0]  # the first step is warm-up
    return {
        "peak": own_peak(trainer.precision_used),
        "tokens_per_s": BATCH * TOKENS * (len(clock.stamps) - 1) / seconds,
        "first_step_s": clock.stamps[0] - started,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "precision_used": trainer.precision_used,
        "compiled": trainer.compiled_used,
    }


def role_run(precision: str, threads: int, steps: int) -> dict:
    """MiniLM fine-tuning on real sentence-role examples: sentences/s and padded tokens/step."""
    torch.set_num_threads(threads)
    from medlm.datasets.medline_corpus import ROLES
    from medlm.lm.models import SequenceClassifier
    from medlm.lm.pretrained import load_pretrained
    from medlm.training import Trainer, TrainingSettings
    from medlm.training.sentence_roles import RoleBatches, RoleEncoder, load_role_sentences

    encoder, tokenizer = load_pretrained("minilm")
    torch.manual_seed(0)
    model = SequenceClassifier.from_encoder(encoder, num_labels=len(ROLES))
    sentences = load_role_sentences("train")[: ROLE_BATCH * (steps + 1)]
    examples = RoleEncoder(tokenizer).examples(sentences)
    batches = RoleBatches(tokenizer.pad_id, tokenizer.token_id(tokenizer.specials.end))
    shapes: list[tuple[int, int]] = []

    def objective(chunk: Any, generator: torch.Generator) -> Any:
        batch = batches(chunk, generator)
        shapes.append(tuple(batch.input_ids.shape))  # type: ignore[arg-type]
        return batch

    settings = TrainingSettings(
        epochs=1, batch_size=ROLE_BATCH, learning_rate=5e-5, precision=precision, device="cpu"
    )
    clock = StepClock()
    trainer = Trainer(settings, objective, callbacks=[clock])
    trainer.fit(model, examples)
    seconds = clock.stamps[-1] - clock.stamps[0]
    timed = shapes[1 : len(clock.stamps)]
    mean_tokens = sum(t for _, t in timed) / len(timed)
    embeddings = sum(p.numel() for p in model.transformer.embeddings.parameters())
    flops = flops_per_token(model, round(mean_tokens), embeddings, 0)
    tokens_per_s = sum(b * t for b, t in timed) / seconds
    return {
        "peak": own_peak(trainer.precision_used),
        "sentences_per_s": ROLE_BATCH * (len(clock.stamps) - 1) / seconds,
        "mean_padded_tokens": mean_tokens,
        "gflops_per_s": tokens_per_s * flops / 1e9,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def own_peak(precision: str | None) -> float:
    """The matmul peak of the precision that ran, measured in the training run's own process
    right after its timed steps (on a shared machine the load moves between processes)."""
    from medlm.lm.hardware import matmul_peak

    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    return matmul_peak(dtype, shapes=PEAK_SHAPES)


def optimizer_steps(threads: int, repeats: int = 10) -> dict[str, float]:
    """Milliseconds per AdamW step over the causal LM's parameters, per implementation."""
    torch.set_num_threads(threads)
    from torch.optim import AdamW

    model = causal_model()
    for p in model.parameters():
        p.grad = torch.randn_like(p)
    out = {}
    for name, flags in (
        ("fused", {"fused": True}),
        ("multi-tensor (foreach)", {"foreach": True}),
        ("per-parameter loop", {"foreach": False}),
    ):
        optimizer = AdamW(model.parameters(), lr=1e-4, **flags)  # type: ignore[arg-type]
        optimizer.step()
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            optimizer.step()
            best = min(best, time.perf_counter() - start)
        out[name] = best * 1e3
    return out


def in_process(function: Any, *args: Any) -> Any:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def main() -> None:
    from medlm.lm.hardware import machine_info, matmul_peak

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--skip-compile", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    info = machine_info()
    load_before = os.getloadavg()
    model = causal_model()
    embeddings = sum(p.numel() for p in model.transformer.embeddings.parameters())
    flops = flops_per_token(model, TOKENS, embeddings, MODEL["d_model"] * VOCAB)  # type: ignore[operator]
    causal = {}
    for name, precision, fused, compile_ in CAUSAL_VARIANTS:
        if compile_ and args.skip_compile:
            continue
        causal[name] = in_process(causal_run, precision, fused, compile_, args.threads, args.steps)
    roles = {p: in_process(role_run, p, args.threads, args.steps) for p in ("fp32", "bf16")}
    optim = in_process(optimizer_steps, args.threads)
    peaks = {
        "fp32": matmul_peak(torch.float32, shapes=PEAK_SHAPES),
        "bf16": matmul_peak(torch.bfloat16, shapes=PEAK_SHAPES),
    }
    load_after = os.getloadavg()
    print(f"CPU: {info.cpu_model}; flags {' '.join(info.cpu_flags)}; torch {info.torch_version}")
    print(
        f"threads={args.threads}; load average (1/5/15 min) before "
        f"{'/'.join(f'{x:.1f}' for x in load_before)}, after "
        f"{'/'.join(f'{x:.1f}' for x in load_after)}; bf16 supported: {info.bf16_supported}"
    )
    for name, peak in peaks.items():
        print(f"measured matmul peak {name} (main process, at the end): {peak / 1e9:8.1f} GFLOP/s")
    print(
        f"\ncausal LM, batch {BATCH}x{TOKENS}, {args.steps} timed steps (synthetic ids); "
        f"model GFLOP/token={flops / 1e9:.3f}"
    )
    base = causal["fp32"]["tokens_per_s"]
    for name, run in causal.items():
        achieved = run["tokens_per_s"] * flops
        used = run["precision_used"]
        compiled = "" if run["compiled"] is None else f", compiled={run['compiled']}"
        print(
            f"  {name:<26} {run['tokens_per_s']:7.1f} tokens/s ({run['tokens_per_s'] / base:.2f}x "
            f"fp32), {achieved / 1e9:6.1f} GFLOP/s, MFU {achieved / run['peak']:.1%} of {used} "
            f"peak ({run['peak'] / 1e9:.0f} GFLOP/s in its process), first step "
            f"{run['first_step_s']:.1f} s, peak RSS {run['peak_rss_mib']:.0f} MiB{compiled}"
        )
    print(f"\nMiniLM sentence-role fine-tuning, batch {ROLE_BATCH}, {args.steps} timed steps")
    for precision, run in roles.items():
        mfu = run["gflops_per_s"] * 1e9 / run["peak"]
        print(
            f"  {precision}: {run['sentences_per_s']:6.1f} sentences/s "
            f"({run['sentences_per_s'] / roles['fp32']['sentences_per_s']:.2f}x fp32), "
            f"mean padded length {run['mean_padded_tokens']:.0f}, "
            f"{run['gflops_per_s']:.1f} GFLOP/s, MFU {mfu:.1%} of {precision} peak "
            f"({run['peak'] / 1e9:.0f} GFLOP/s in its process), "
            f"peak RSS {run['peak_rss_mib']:.0f} MiB"
        )
    print("\nAdamW step alone over the causal LM's parameters (best of 10)")
    for name, ms in optim.items():
        print(f"  {name:<24} {ms:6.1f} ms ({ms / optim['fused']:.2f}x fused)")


if __name__ == "__main__":
    main()
