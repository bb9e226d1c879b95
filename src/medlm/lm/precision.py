"""Precision as a choice: the fp32, bf16 and int8 inference paths, and `auto`, which measures them.

A *precision* is what a caller asks for (`fp32`, `bf16`, `int8` or `auto`); a *path* is how a
model runs it:

    fp32           the model as trained
    bf16-autocast  fp32 weights, matmuls in bf16 under `torch.autocast`
    bf16-weights   the model cast to bfloat16; pooling and normalisation stay fp32
    int8-torch     torch dynamic int8 `Linear` layers (weights int8, activations at run time)
    int8-onnx      the ONNX export quantized by onnxruntime (`medlm.lm.export`; encoders only)

`auto` measures every path this machine can run on a short calibration batch of real
sentences, scores each against fp32 (the lowest cosine over the batch for embeddings; macro-F1
for a classifier) and picks the fastest that passes the bar. The table it chose from is cached
as JSON under a cache folder, keyed by the machine (`machine_info().key`), the model's name and
weight hash and medlm's version; a cache whose key differs or that does not parse is measured
again. bf16 paths are never candidates where `bf16_supported()` is false.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import logging
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import torch
from pydantic import BaseModel, ValidationError
from torch import nn

from medlm import __version__
from medlm.errors import InputError
from medlm.lm.hardware import MachineInfo, bf16_supported, machine_info

logger = logging.getLogger(__name__)

Precision = Literal["auto", "fp32", "bf16", "int8"]
PrecisionPath = Literal["fp32", "bf16-autocast", "bf16-weights", "int8-torch", "int8-onnx"]
ModelKind = Literal["encoder", "classifier", "decoder"]

MIN_COSINE = 0.99  # embeddings: lowest cosine to fp32 over the calibration batch
MAX_F1_DROP = 0.005  # classifiers: macro-F1 at most this far below fp32's
CACHE_SUBDIR = "precision"

# What an explicit precision means for each kind of model. Decoders keep fp32 weights under
# autocast: generation feeds its own outputs back, so they are not cast wholesale.
EXPLICIT_PATHS: dict[ModelKind, dict[str, PrecisionPath]] = {
    "encoder": {"fp32": "fp32", "bf16": "bf16-weights", "int8": "int8-onnx"},
    "classifier": {"fp32": "fp32", "bf16": "bf16-weights", "int8": "int8-torch"},
    "decoder": {"fp32": "fp32", "bf16": "bf16-autocast", "int8": "int8-torch"},
}
_CANDIDATES: dict[ModelKind, tuple[PrecisionPath, ...]] = {
    "encoder": ("fp32", "bf16-autocast", "bf16-weights", "int8-torch", "int8-onnx"),
    "classifier": ("fp32", "bf16-autocast", "bf16-weights", "int8-torch"),
    "decoder": ("fp32", "bf16-autocast", "int8-torch"),
}


class CandidateResult(BaseModel):
    """One path's row of the table `auto` chose from."""

    path: PrecisionPath
    items_per_second: float
    ratio_to_fp32: float
    quality: float | None  # min cosine to fp32, or macro-F1; None where the path failed
    passed: bool
    chosen: bool = False
    error: str | None = None


class PrecisionChoice(BaseModel):
    """What `auto` measured for one model on one machine, and what it chose."""

    key: str
    kind: ModelKind
    model: str
    weights: str
    medlm_version: str
    machine: MachineInfo
    quality_name: str
    calibration_items: int
    chosen: PrecisionPath
    candidates: list[CandidateResult]


def check_precision(value: str) -> Precision:
    """`value` as a Precision, or an InputError naming the allowed values."""
    if value not in get_args(Precision):
        raise InputError(f"precision {value!r}: use one of {', '.join(get_args(Precision))}")
    return value  # type: ignore[return-value]


def onnx_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def candidate_paths(kind: ModelKind) -> list[PrecisionPath]:
    """The paths `auto` measures for `kind` here: no bf16 without native bf16, no ONNX without
    onnxruntime."""
    paths = list(_CANDIDATES[kind])
    if not bf16_supported():
        paths = [p for p in paths if not p.startswith("bf16")]
    if not onnx_available():
        paths = [p for p in paths if p != "int8-onnx"]
    return paths


def explicit_path(precision: Precision, kind: ModelKind) -> PrecisionPath:
    """The path an explicit precision runs; bf16 where the CPU lacks it is an InputError."""
    if precision == "auto":
        raise InputError("explicit_path: 'auto' has no fixed path; use choose_path")
    path = EXPLICIT_PATHS[kind][precision]
    if path.startswith("bf16") and not bf16_supported():
        raise InputError(f"precision 'bf16': this CPU ({machine_info().cpu_model}) lacks bf16")
    if path == "int8-onnx" and not onnx_available():
        path = "int8-torch"
    return path


def weights_hash(model: nn.Module) -> str:
    """A short SHA-256 of the model's parameters and buffers (names and values)."""
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().contiguous().view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


def choice_key(kind: ModelKind, model_name: str, weights: str) -> str:
    return f"{machine_info().key}|{kind}|{model_name}|{weights}|medlm={__version__}"


# -- running a path ------------------------------------------------------------------------------


def path_model(model: nn.Module, path: PrecisionPath) -> nn.Module:
    """The module that runs `path`: the model itself for fp32 and autocast, else a copy."""
    if path in ("fp32", "bf16-autocast"):
        return model
    if path == "bf16-weights":
        return copy.deepcopy(model).to(torch.bfloat16).eval()
    if path == "int8-torch":
        with warnings.catch_warnings():
            # torch 2.13 deprecates torch.ao's eager quantization in favour of torchao (not a
            # dependency); the kernels themselves still run.
            warnings.simplefilter("ignore")
            quantize = torch.ao.quantization.quantize_dynamic
            return quantize(copy.deepcopy(model), {nn.Linear}, dtype=torch.qint8).eval()
    raise InputError(f"path {path!r} is not a torch path")


def path_context(path: PrecisionPath) -> AbstractContextManager[object]:
    """bf16 autocast for the autocast path; nothing otherwise."""
    if path == "bf16-autocast":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return nullcontext()


# -- measuring and choosing ----------------------------------------------------------------------


def min_cosine(vectors: np.ndarray, reference: np.ndarray) -> float:
    """Lowest row-wise cosine between two (N, D) arrays."""
    a = vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
    b = reference / np.linalg.norm(reference, axis=1, keepdims=True).clip(min=1e-12)
    return float((a * b).sum(axis=1).min())


def pick_fastest(results: Sequence[CandidateResult]) -> list[CandidateResult]:
    """The same rows with `chosen` set on the fastest that passed (fp32 always passes)."""
    passing = [r for r in results if r.passed]
    if not passing:
        raise InputError("no precision path passed; fp32 should always pass")
    best = max(passing, key=lambda r: r.items_per_second)
    return [r.model_copy(update={"chosen": r is best}) for r in results]


def _timed(run: Callable[[], np.ndarray], repeats: int) -> tuple[float, np.ndarray]:
    """Best wall time of `repeats` calls after one warm-up, and the last output."""
    output = run()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        output = run()
        best = min(best, time.perf_counter() - start)
    return best, output


def measure_paths(
    runs: Mapping[PrecisionPath, Callable[[], np.ndarray]],
    n_items: int,
    quality: Callable[[np.ndarray, np.ndarray], float],
    passes: Callable[[float, float], bool],
    *,
    repeats: int = 1,
) -> list[CandidateResult]:
    """Time each path's run (fp32 first) and score its output against fp32's.

    `quality(output, fp32_output)` scores a path, `passes(score, fp32_score)` applies the bar;
    a path that raises is recorded as failed with its error, never chosen.
    """
    fp32_seconds, reference = _timed(runs["fp32"], repeats)
    fp32_score = quality(reference, reference)
    results = []
    for path, run in runs.items():
        try:
            seconds, output = (fp32_seconds, reference) if path == "fp32" else _timed(run, repeats)
        except Exception as exc:  # a path this torch build cannot run is a finding, not a crash
            logger.warning("precision path %s failed: %s", path, exc)
            error = f"{type(exc).__name__}: {exc}"[:200]
            results.append(_failed(path, error))
            continue
        score = quality(output, reference)
        results.append(
            CandidateResult(
                path=path,
                items_per_second=n_items / seconds,
                ratio_to_fp32=fp32_seconds / seconds,
                quality=score,
                passed=path == "fp32" or passes(score, fp32_score),
            )
        )
    return pick_fastest(results)


def measured_choice(
    key: str,
    kind: ModelKind,
    model: str,
    weights: str,
    runs: Mapping[PrecisionPath, Callable[[], np.ndarray]],
    n_items: int,
    quality: tuple[str, Callable[[np.ndarray, np.ndarray], float], Callable[[float, float], bool]],
) -> PrecisionChoice:
    """Measure `runs` (`measure_paths`) and record the table and its choice for `key`.
    `quality` is (its name as shown, the scoring function, the bar against fp32)."""
    quality_name, score, passes = quality
    results = measure_paths(runs, n_items, score, passes)
    return PrecisionChoice(
        key=key,
        kind=kind,
        model=model,
        weights=weights,
        medlm_version=key.rsplit("medlm=", 1)[-1],
        machine=machine_info(),
        quality_name=quality_name,
        calibration_items=n_items,
        chosen=next(r.path for r in results if r.chosen),
        candidates=results,
    )


def _failed(path: PrecisionPath, error: str) -> CandidateResult:
    return CandidateResult(
        path=path,
        items_per_second=0.0,
        ratio_to_fp32=0.0,
        quality=None,
        passed=False,
        error=error,
    )


def cosine_bar(score: float, fp32_score: float) -> bool:
    return score >= MIN_COSINE


def f1_bar(score: float, fp32_score: float) -> bool:
    return score >= fp32_score - MAX_F1_DROP


# -- the cache -----------------------------------------------------------------------------------


def cache_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / CACHE_SUBDIR / f"{hashlib.sha256(key.encode()).hexdigest()[:20]}.json"


def load_choice(cache_dir: Path, key: str) -> PrecisionChoice | None:
    """The cached choice for `key`, or None when missing, corrupt, stale or now unrunnable."""
    path = cache_file(cache_dir, key)
    if not path.is_file():
        return None
    try:
        choice = PrecisionChoice.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, ValueError, OSError) as exc:
        logger.warning("precision cache %s is unreadable (%s); measuring again", path, exc)
        return None
    if choice.key != key:
        logger.warning("precision cache %s was measured for another key; measuring again", path)
        return None
    if choice.chosen not in candidate_paths(choice.kind):
        logger.warning("cached path %s cannot run here; measuring again", choice.chosen)
        return None
    return choice


def save_choice(cache_dir: Path, choice: PrecisionChoice) -> Path:
    path = cache_file(cache_dir, choice.key)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(choice.model_dump_json(indent=2), encoding="utf-8")
    temporary.replace(path)
    return path


def cached_choice(
    key: str, cache_dir: Path | None, measure: Callable[[], PrecisionChoice]
) -> PrecisionChoice:
    """The cached choice for `key`, or `measure()` saved under `cache_dir` (when given)."""
    if cache_dir is not None and (choice := load_choice(cache_dir, key)) is not None:
        logger.debug("precision %s from cache", choice.chosen)
        return choice
    choice = measure()
    logger.info("precision auto chose %s for %s", choice.chosen, choice.model)
    if cache_dir is not None:
        save_choice(cache_dir, choice)
    return choice


def calibration_texts(n: int = 64) -> list[str]:
    """`n` real MEDLINE validation sentences spread over the range of lengths, the shortest
    included: int8's lowest cosine is on the shortest texts ("Not applicable."), where mean
    pooling averages the rounding errors of only a few tokens."""
    from medlm.training.sentence_roles import load_role_sentences

    texts = sorted({s.text for s in load_role_sentences("validation")}, key=lambda t: (len(t), t))
    if len(texts) <= n:
        return texts
    return [texts[round(i * (len(texts) - 1) / (n - 1))] for i in range(n)]
