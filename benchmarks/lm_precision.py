"""Embedding speed by precision: medlm fp32/bf16/int8/auto vs transformers on the same MiniLM.

One run, side by side, on real MEDLINE sentences (validation split, >= 2,000 by default):
medlm's `TextEncoder` in fp32, bf16 (bf16 weights), int8 (onnxruntime) and `auto` (the path
the chooser picked, measured first on its own calibration batch); transformers' `AutoModel`
(BertModel) on the weights of the package folder in fp32, bf16 autocast and pure bf16; and
sentence-transformers fp32, the cosine reference. Every path embeds the same sentences with
the same length-sorted batches of `--batch-size`, mean pooling and L2 normalisation; the
sentences are cut into chunks and every chunk runs every path in turn, so all paths see the
same load on a shared machine. Prints the CPU model, threads, matmul peaks measured in the
same run, the load average before and after, sentences/s, the ratio to transformers' fastest
path, and the lowest and mean cosine to sentence-transformers fp32. `--cli` also times
`medlm lm embed --jsonl --precision auto` end to end (process start and model load included).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/lm_precision.py [--sentences 2000] [--cli]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from medlm.lm import precision as prec
from medlm.lm.encoding import TextEncoder
from medlm.lm.hardware import bf16_supported, machine_info, matmul_peak
from medlm.lm.pretrained import resolve_model_folder
from medlm.training.sentence_roles import load_role_sentences

Embed = Callable[[list[str]], np.ndarray]


def transformers_paths(batch_size: int) -> dict[str, Embed]:
    from transformers import AutoModel, AutoTokenizer

    folder = str(resolve_model_folder("minilm"))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    fp32 = AutoModel.from_pretrained(folder).eval()
    bf16 = copy.deepcopy(fp32).to(torch.bfloat16)

    def embed(model: torch.nn.Module, autocast: bool) -> Embed:
        def run(texts: list[str]) -> np.ndarray:
            out = np.zeros((len(texts), 384), dtype=np.float32)
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=autocast):
                for start in range(0, len(order), batch_size):
                    rows = order[start : start + batch_size]
                    batch = tokenizer(
                        [texts[i] for i in rows],
                        padding=True,
                        truncation=True,
                        max_length=256,
                        return_tensors="pt",
                    )
                    hidden = model(**batch).last_hidden_state.float()  # (B, T, D)
                    mask = batch["attention_mask"].unsqueeze(-1).float()  # (B, T, 1)
                    pooled = (hidden * mask).sum(1) / mask.sum(1)
                    out[rows] = F.normalize(pooled, dim=-1).numpy()
            return out

        return run

    paths = {"transformers fp32": embed(fp32, False)}
    if bf16_supported():
        paths["transformers bf16 autocast"] = embed(fp32, True)
        paths["transformers bf16"] = embed(bf16, False)
    return paths


def reference_path(batch_size: int) -> Embed:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(resolve_model_folder("minilm")), device="cpu")
    return lambda texts: np.asarray(
        model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
    )


def medlm_paths(batch_size: int, cache_dir: Path) -> tuple[dict[str, Embed], TextEncoder, float]:
    encoder = TextEncoder.from_pretrained("minilm", precision="auto", cache_dir=cache_dir)
    start = time.perf_counter()
    encoder.choose()
    choose_seconds = time.perf_counter() - start
    paths: dict[str, Embed] = {}
    wanted: list[tuple[str, prec.PrecisionPath]] = [("fp32", "fp32")]
    if bf16_supported():
        wanted.append(("bf16", "bf16-weights"))
    wanted.append(("int8", prec.explicit_path("int8", "encoder")))
    for label, path in wanted:
        paths[f"medlm {label} ({path})"] = _medlm_embed(encoder, batch_size, path)
    paths[f"medlm auto ({encoder.path})"] = _medlm_embed(encoder, batch_size, None)
    return paths, encoder, choose_seconds


def _medlm_embed(encoder: TextEncoder, batch_size: int, path: prec.PrecisionPath | None) -> Embed:
    return lambda texts: encoder.embed(texts, batch_size=batch_size, path=path)


def run_cli(texts: list[str], cache_dir: Path, batch_size: int) -> tuple[float, np.ndarray]:
    lines = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts))
    command = [str(Path(sys.executable).parent / "medlm"), "lm", "embed", "--jsonl"]
    command += ["--precision", "auto", "--batch-size", str(batch_size)]
    env = {**os.environ, "MEDLM_LM__CACHE_DIR": str(cache_dir), "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    done = subprocess.run(command, input=lines, capture_output=True, text=True, env=env, check=True)
    seconds = time.perf_counter() - start
    vectors = np.array([json.loads(line)["embedding"] for line in done.stdout.splitlines()])
    return seconds, vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--cli", action="store_true", help="also time `medlm lm embed --jsonl`")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()
    info = machine_info()
    peaks = {"fp32": matmul_peak(torch.float32) / 1e9}
    if info.bf16_supported:
        peaks["bf16"] = matmul_peak(torch.bfloat16) / 1e9
    print(f"{info.cpu_model}; {info.threads} threads; torch {info.torch_version}")
    print("matmul peaks: " + ", ".join(f"{k} {v:,.0f} GFLOP/s" for k, v in peaks.items()))
    texts = [s.text for s in load_role_sentences("validation")][: args.sentences]
    cache_dir = Path(tempfile.mkdtemp(prefix="medlm-precision-"))
    ours, encoder, choose_seconds = medlm_paths(args.batch_size, cache_dir)
    assert encoder.choice is not None
    print(f"auto measured its paths in {choose_seconds:.0f} s and chose {encoder.path}:")
    for row in encoder.choice.candidates:
        quality = "-" if row.quality is None else f"{row.quality:.4f}"
        verdict = ("pass" if row.passed else "FAIL") + ("  <- chosen" if row.chosen else "")
        print(
            f"  {row.path:14s} {row.items_per_second:8.1f}/s {row.ratio_to_fp32:5.2f}x fp32  "
            f"min cos {quality}  {verdict}"
        )
    paths = {**ours, **transformers_paths(args.batch_size)}
    paths["sentence-transformers fp32"] = reference_path(args.batch_size)
    for embed in paths.values():  # warm-up: first calls allocate and pick kernels
        embed(texts[:32])
    seconds = dict.fromkeys(paths, 0.0)
    outputs: dict[str, list[np.ndarray]] = {name: [] for name in paths}
    chunk = -(-len(texts) // args.chunks)
    for n, start in enumerate(range(0, len(texts), chunk)):
        part = texts[start : start + chunk]
        names = list(paths)
        names = names[n % len(names) :] + names[: n % len(names)]  # rotate who goes first
        for name in names:
            begin = time.perf_counter()
            outputs[name].append(paths[name](part))
            seconds[name] += time.perf_counter() - begin
        done = start + len(part)  # running figures, so a long run on a busy machine shows progress
        rates = ", ".join(f"{name} {done / seconds[name]:.1f}" for name in paths)
        print(f"after {done} sentences (load {os.getloadavg()[0]:.1f}), per second: {rates}")
    report(texts, paths, seconds, outputs, args, info, peaks, load_before, cache_dir)


def report(
    texts: list[str],
    paths: dict[str, Embed],
    seconds: dict[str, float],
    outputs: dict[str, list[np.ndarray]],
    args: argparse.Namespace,
    info: object,
    peaks: dict[str, float],
    load_before: tuple[float, float, float],
    cache_dir: Path,
) -> None:
    reference = np.concatenate(outputs["sentence-transformers fp32"])
    rates = {name: len(texts) / s for name, s in seconds.items()}
    fastest_hf = max((n for n in rates if n.startswith("transformers")), key=rates.__getitem__)
    rows = []
    for name in paths:
        cosines = (np.concatenate(outputs[name]) * reference).sum(axis=1)
        rows.append((name, rates[name], rates[name] / rates[fastest_hf], cosines))
    if args.cli:
        cli_seconds, vectors = run_cli(texts, cache_dir, args.batch_size)
        cosines = (vectors * reference).sum(axis=1)
        rate = len(texts) / cli_seconds
        name = "medlm lm embed --jsonl --precision auto (whole process)"
        rows.append((name, rate, rate / rates[fastest_hf], cosines))
    print(f"\n{len(texts):,} MEDLINE sentences, batches of {args.batch_size}, {args.chunks} chunks")
    print(f"{'path':58s} {'sent/s':>8s} {'vs ' + fastest_hf:>28s} {'min cos':>8s} {'mean cos':>9s}")
    for name, rate, ratio, cosines in rows:
        print(f"{name:58s} {rate:8.1f} {ratio:27.2f}x {cosines.min():8.4f} {cosines.mean():9.5f}")
    print(f"load average before {load_before}, after {os.getloadavg()}")
    if args.json:
        figures = {
            "machine": info.model_dump() if hasattr(info, "model_dump") else str(info),
            "peak_gflops": peaks,
            "load_before": load_before,
            "load_after": os.getloadavg(),
            "rows": [
                {"path": n, "per_second": r, "ratio": q, "min_cos": float(c.min())}
                for n, r, q, c in rows
            ],
        }
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
