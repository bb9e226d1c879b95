"""ONNX export of encoders and sequence classifiers, and their dynamic int8 quantization.

An export is a folder: `model.onnx`, the tokenizer files and `export.json` (an `ExportInfo`).
The graph takes `input_ids` (B, T) int64 and `attention_mask` (B, T) int64 (1 at real
tokens) with dynamic batch and sequence axes, and returns `embeddings` (B, D), mean-pooled and
L2-normalised like `TextEncoder.embed`, for an encoder, or `logits` (B, C) for a classifier.
A classifier whose model has segment embeddings also takes `token_type_ids` (B, T) int64, so
inputs that mark a context segment (the sentence-role layout) run unchanged; zeros there give
the same logits as a torch call without segment ids. `ExportInfo.inputs` lists the inputs.
`medlm.lm.onnx_inference` runs an export folder with onnxruntime. `onnx` and `onnxruntime` are
the optional extra `medlm[export]`; they are imported only when a function needs them.
"""

from __future__ import annotations

import importlib
import logging
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import torch
import torch.nn.functional as F
from pydantic import BaseModel
from torch import Tensor, nn

from medlm.errors import DataPackageMissingError, InputError, MedlmError
from medlm.lm.heads import mean_pool
from medlm.lm.models import Batch, LanguageModel, SequenceClassifier
from medlm.lm.tokenizer import Tokenizer

logger = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"
INFO_FILE = "export.json"
OPSET = 17
INPUT_NAMES = ["input_ids", "attention_mask"]
SEGMENT_INPUT = "token_type_ids"
_DYNAMIC = {0: "batch", 1: "sequence"}


class ExportDependencyMissingError(DataPackageMissingError):
    """`onnx` or `onnxruntime` is not installed; the message says how to install it."""

    def __init__(self, package: str, purpose: str):
        MedlmError.__init__(
            self,
            f"{purpose} needs the Python package '{package}', which is not installed; "
            "install it with: pip install 'medlm[export]'",
        )
        self.package = package


class ExportInfo(BaseModel):
    """What an export folder holds: graph kind, weight precision and output width."""

    kind: Literal["encoder", "classifier"]
    precision: Literal["fp32", "int8"] = "fp32"
    output: Literal["embeddings", "logits"]
    dim: int
    max_length: int
    labels: list[str] | None = None
    inputs: list[str] = INPUT_NAMES
    kept_fp32: list[str] = []
    opset: int = OPSET


def require_package(module: str, package: str, purpose: str) -> Any:
    """Import `module`, or raise ExportDependencyMissingError naming `package`."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ExportDependencyMissingError(package, purpose) from exc


class _EmbeddingGraph(nn.Module):
    """input_ids, attention_mask (B, T) -> unit-length mean-pooled embeddings (B, D)."""

    def __init__(self, model: LanguageModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        padding_mask = attention_mask.bool()  # (B, T) True at real tokens
        hidden = self.model.encode(Batch(input_ids, padding_mask)).hidden  # (B, T, D)
        return F.normalize(mean_pool(hidden, padding_mask), dim=-1)  # (B, D)


class _LogitsGraph(nn.Module):
    """input_ids, attention_mask [, token_type_ids] (B, T) -> class logits (B, C)."""

    def __init__(self, model: SequenceClassifier) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: Tensor, attention_mask: Tensor, token_type_ids: Tensor | None = None
    ) -> Tensor:
        batch = Batch(input_ids, attention_mask.bool(), segment_ids=token_type_ids)
        logits = self.model(batch).logits  # (B, C)
        assert logits is not None
        return logits


def _example_inputs(model: LanguageModel, tokenizer: Tokenizer) -> tuple[Tensor, Tensor]:
    """A padded two-row batch: the traced graph then always applies the padding mask,
    which leaves rows without padding unchanged."""
    length = max(2, min(8, model.config.max_length))
    ids = torch.arange(2 * length).reshape(2, length) % model.config.vocab_size  # (2, T)
    mask = torch.ones((2, length), dtype=torch.long)
    mask[1, length // 2 :] = 0
    ids[1, length // 2 :] = tokenizer.pad_id
    return ids, mask


def _export(
    graph: nn.Module,
    example: tuple[Tensor, ...],
    output: str,
    path: Path,
    input_names: Sequence[str] = INPUT_NAMES,
) -> None:
    require_package("onnx", "onnx", "ONNX export")
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # The tracer warns where the forward pass turns a tensor into a Python bool (the
        # padding and length checks); the padded example fixes those branches as intended.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph.eval(),
            example,
            str(path),
            input_names=list(input_names),
            output_names=[output],
            dynamic_axes={name: _DYNAMIC for name in input_names} | {output: {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )


def _save_folder(folder: Path, tokenizer: Tokenizer, info: ExportInfo) -> None:
    tokenizer.save(folder)
    (folder / INFO_FILE).write_text(info.model_dump_json(indent=2))


def _prepare(folder: Path | str) -> Path:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"export path {folder} is a file; give a folder to write the export to")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_encoder_onnx(model: LanguageModel, tokenizer: Tokenizer, path: Path | str) -> Path:
    """Write `model`'s embedding graph and `tokenizer` to the folder `path`; returns the folder."""
    folder = _prepare(path)
    graph = _EmbeddingGraph(model.eval())
    with torch.no_grad():
        _export(graph, _example_inputs(model, tokenizer), "embeddings", folder / MODEL_FILE)
    info = ExportInfo(
        kind="encoder",
        output="embeddings",
        dim=model.config.d_model,
        max_length=min(tokenizer.max_length, model.config.max_length),
    )
    _save_folder(folder, tokenizer, info)
    logger.info("exported encoder to %s", folder)
    return folder


def export_classifier_onnx(
    model: SequenceClassifier,
    tokenizer: Tokenizer,
    path: Path | str,
    labels: Sequence[str] | None = None,
) -> Path:
    """Write `model`'s logits graph, `tokenizer` and optional label names to the folder `path`.

    A model with segment embeddings gets the extra input `token_type_ids`.
    """
    if not isinstance(model, SequenceClassifier):
        raise InputError(f"model is a {type(model).__name__}, not a SequenceClassifier")
    if labels is not None and len(labels) != model.num_labels:
        raise InputError(f"labels has {len(labels)} names for {model.num_labels} classes")
    folder = _prepare(path)
    example: tuple[Tensor, ...] = _example_inputs(model, tokenizer)
    inputs = list(INPUT_NAMES)
    if model.config.type_vocab_size > 0:
        ids, mask = example
        segments = torch.zeros_like(ids)
        segments[:, ids.shape[1] // 4 :] = 1  # (2, T) a traced example with both segments
        example, inputs = (ids, mask, segments * mask), [*INPUT_NAMES, SEGMENT_INPUT]
    with torch.no_grad():
        _export(_LogitsGraph(model.eval()), example, "logits", folder / MODEL_FILE, inputs)
    info = ExportInfo(
        kind="classifier",
        output="logits",
        inputs=inputs,
        dim=model.num_labels,
        max_length=min(tokenizer.max_length, model.config.max_length),
        labels=list(labels) if labels is not None else None,
    )
    _save_folder(folder, tokenizer, info)
    logger.info("exported classifier to %s", folder)
    return folder


def read_export_info(folder: Path | str) -> ExportInfo:
    """The `ExportInfo` of an export folder; InputError when it is not one."""
    folder = Path(folder)
    if not (folder / MODEL_FILE).is_file() or not (folder / INFO_FILE).is_file():
        raise InputError(f"{folder} is not an ONNX export folder (needs {MODEL_FILE}, {INFO_FILE})")
    return ExportInfo.model_validate_json((folder / INFO_FILE).read_text())


# Node-name parts of weight MatMuls kept in fp32 by default: the feed-forward output
# projections, whose inputs carry the large outlier activations that per-tensor int8 rounds
# badly (Bondarenko et al., EMNLP 2021, "Understanding and Overcoming the Challenges of
# Efficient Transformer Quantization"). On MiniLM they lift the lowest embedding cosine to fp32
# from 0.987 to 0.993 on 200 MEDLINE sentences (docs/benchmarks.md, "Export").
KEEP_FP32 = ("feed_forward/out_proj",)


def _excluded_nodes(model_path: Path, keep_fp32: Sequence[str]) -> list[str]:
    """MatMul nodes left in fp32: those without a weight (attention scores) and `keep_fp32`."""
    onnx = require_package("onnx", "onnx", "int8 quantization of an ONNX export")
    graph = onnx.load(str(model_path)).graph
    weights = {init.name for init in graph.initializer}
    excluded = []
    for node in graph.node:
        if node.op_type != "MatMul":
            continue
        has_weight = any(name in weights for name in node.input)
        if not has_weight or any(part in node.name for part in keep_fp32):
            excluded.append(node.name)
    return excluded


def quantize_int8(
    src: Path | str,
    dst: Path | str,
    *,
    per_channel: bool = True,
    keep_fp32: Sequence[str] = KEEP_FP32,
) -> Path:
    """Dynamic int8 quantization of the export folder `src` into the folder `dst`.

    Weight MatMuls get QInt8 weights (one scale per output channel when `per_channel`) and
    activations quantized at run time; MatMuls whose node name contains a part of `keep_fp32`
    stay fp32. Tokenizer and info are copied along.
    """
    src, dst = Path(src), Path(dst)
    info = read_export_info(src)
    if src.resolve() == dst.resolve():
        raise InputError(f"quantize_int8 would overwrite its source {src}; give another folder")
    quantization = require_package(
        "onnxruntime.quantization", "onnxruntime", "int8 quantization of an ONNX export"
    )
    excluded = _excluded_nodes(src / MODEL_FILE, keep_fp32)
    dst = _prepare(dst)
    quantization.quantize_dynamic(
        str(src / MODEL_FILE),
        str(dst / MODEL_FILE),
        weight_type=quantization.QuantType.QInt8,
        op_types_to_quantize=["MatMul"],
        per_channel=per_channel,
        nodes_to_exclude=excluded,
    )
    for item in src.iterdir():
        if item.name not in (MODEL_FILE, INFO_FILE) and item.is_file():
            shutil.copy2(item, dst / item.name)
    new_info = info.model_copy(update={"precision": "int8", "kept_fp32": list(keep_fp32)})
    (dst / INFO_FILE).write_text(new_info.model_dump_json(indent=2))
    logger.info("quantized %s to int8 in %s (%d MatMuls kept fp32)", src, dst, len(excluded))
    return dst
