"""The precision paths of a `TextEncoder`: one runner per path, and `auto`'s measurement.

A runner maps one padded batch, (input_ids, padding_mask) (B, T), to (B, D) fp32 unit-length
embeddings. The torch paths share `encoding.pooled`; the int8-onnx path exports the encoder
once (`medlm.lm.export`), quantizes it with onnxruntime and keeps the folder under the cache
folder, named by the weights' hash, so later runs reuse it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from pydantic import BaseModel
from torch import Tensor

from medlm.lm import precision as prec
from medlm.lm.hardware import MachineInfo, bf16_supported, machine_info, matmul_peak

if TYPE_CHECKING:
    from medlm.lm.encoding import TextEncoder

logger = logging.getLogger(__name__)

CALIBRATION_SENTENCES = 64  # short: a first use on a busy 2-core machine stays near a minute


class BenchReport(BaseModel):
    """`medlm lm bench`: the machine, its measured matmul peaks and the table `auto` chose from."""

    machine: MachineInfo
    load_average: tuple[float, float, float]
    peak_gflops: dict[str, float]  # "fp32", and "bf16" where the CPU runs it natively
    choice: prec.PrecisionChoice


def bench(encoder: TextEncoder, *, fresh: bool = False) -> BenchReport:
    """Peaks measured now, and the encoder's precision table (measured again when `fresh`)."""
    peaks = {"fp32": matmul_peak(torch.float32) / 1e9}
    if bf16_supported():
        peaks["bf16"] = matmul_peak(torch.bfloat16) / 1e9
    if fresh:
        weights = prec.weights_hash(encoder.model)
        key = prec.choice_key("encoder", encoder.name, weights)
        choice = measure_encoder(encoder, key, weights)
        if encoder.cache_dir is not None:
            prec.save_choice(encoder.cache_dir, choice)
    else:
        choice = encoder.choose()
    return BenchReport(
        machine=machine_info(),
        load_average=os.getloadavg(),
        peak_gflops=peaks,
        choice=choice,
    )


def build_runner(
    encoder: TextEncoder, path: prec.PrecisionPath
) -> Callable[[Tensor, Tensor], Tensor]:
    """The batch function of `path` for `encoder` (copies the model for bf16/int8 weights)."""
    from medlm.lm.encoding import pooled

    if path == "int8-onnx":
        return _onnx_runner(encoder)
    model = prec.path_model(encoder.model, path)

    def run(input_ids: Tensor, padding_mask: Tensor) -> Tensor:
        with prec.path_context(path):
            return pooled(model, input_ids, padding_mask)  # type: ignore[arg-type]

    return run


def onnx_folder(encoder: TextEncoder) -> Path:
    """Where the int8 export of this encoder lives: under the cache folder, or a temp folder."""
    base = encoder.cache_dir or Path(tempfile.gettempdir()) / "medlm-cache"
    return base / "onnx" / f"{prec.weights_hash(encoder.model)}-int8"


def _onnx_runner(encoder: TextEncoder) -> Callable[[Tensor, Tensor], Tensor]:
    from medlm.lm.export import INFO_FILE, export_encoder_onnx, quantize_int8
    from medlm.lm.onnx_inference import OnnxEncoder

    folder = onnx_folder(encoder)
    if not (folder / INFO_FILE).is_file():
        with tempfile.TemporaryDirectory() as scratch:
            fp32 = export_encoder_onnx(encoder.model, encoder.tokenizer, Path(scratch) / "fp32")
            quantize_int8(fp32, folder)
        logger.info("int8 ONNX export of %s written to %s", encoder.name, folder)
    session = OnnxEncoder(folder, num_threads=torch.get_num_threads())

    def run(input_ids: Tensor, padding_mask: Tensor) -> Tensor:
        vectors = session.run_ids(input_ids.numpy(), padding_mask.long().numpy())
        return torch.from_numpy(vectors)

    return run


def measure_encoder(
    encoder: TextEncoder, key: str, weights: str, texts: Sequence[str] | None = None
) -> prec.PrecisionChoice:
    """Time every candidate path on `texts` and keep the fastest within cosine 0.99 of fp32."""
    sample = list(texts) if texts is not None else prec.calibration_texts(CALIBRATION_SENTENCES)
    runs: dict[prec.PrecisionPath, Callable[[], np.ndarray]] = {}
    for path in prec.candidate_paths("encoder"):
        runs[path] = _embedding_run(encoder, sample, path)
    cosine = ("min cosine to fp32", prec.min_cosine, prec.cosine_bar)
    return prec.measured_choice(key, "encoder", encoder.name, weights, runs, len(sample), cosine)


def _embedding_run(
    encoder: TextEncoder, texts: list[str], path: prec.PrecisionPath
) -> Callable[[], np.ndarray]:
    return lambda: encoder.embed(texts, path=path)
