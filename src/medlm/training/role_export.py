"""ONNX export of a sentence-role model of either kind, and the exported abstract-level model.

A per-sentence `SentenceRoleClassifier` exports as one graph (`export_onnx`: ids and segment
ids -> logits); its int8 copy is `medlm.lm.export.quantize_int8`. The abstract-level model
exports in its two stages, into one folder:

    encoder/             the sentence encoder (`export_encoder_onnx`: unit-length mean-pooled
                         vectors), fp32 or dynamic int8
    context.onnx         the BiGRU of every member over one abstract: vectors (1, N, E),
                         features (1, N, F) -> (1, N, C) log of the members' average role
                         probabilities; fp32 (it is a tiny share of the work)
    role_export.json     a `RoleExportInfo`
    plus the model's own files (settings, weights, the TF-IDF feature model, role transitions,
    validation calibration), so the export decides exactly like the model it came from.

`load_role_model(folder)` loads an export folder like a model folder (either kind), so
`medlm lm evaluate` and the applications run on it unchanged. `onnx` and `onnxruntime` are the
optional extra `medlm[export]`.
"""

from __future__ import annotations

import logging
import math
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import torch
from pydantic import BaseModel
from torch import Tensor, nn

from medlm.errors import InputError
from medlm.training.abstract_context import AbstractContextModel, ContextEnsemble
from medlm.training.abstract_features import AbstractInputs
from medlm.training.abstract_model import AbstractRoleModel, is_abstract_model

if TYPE_CHECKING:
    from medlm.lm.encoding import TextEncoder
    from medlm.training.sentence_roles import SentenceRoleClassifier

logger = logging.getLogger(__name__)

EXPORT_FILE = "role_export.json"
ENCODER_DIR = "encoder"
CONTEXT_FILE = "context.onnx"
ExportPrecision = Literal["fp32", "int8"]
# The encoder paths of `medlm.lm.precision` that an ONNX export runs as int8; every other path
# (fp32, bf16) exports as fp32, since onnxruntime has no faster bf16 path on CPUs.
INT8_PATHS = ("int8-onnx", "int8-torch")


class RoleExportInfo(BaseModel):
    """What a role-model export folder holds."""

    kind: Literal["abstract-context", "sentence-classifier"]
    precision: ExportPrecision
    source: str


class _ContextGraph(nn.Module):
    """The context model (each member of the ensemble) on one abstract, without packing (no
    padding to skip): vectors (1, N, E), features (1, N, F) -> logits (1, N, C), the
    log of the members' average probabilities, as `ContextEnsemble`."""

    def __init__(self, model: ContextEnsemble) -> None:
        super().__init__()
        self.model = model

    def forward(self, vectors: Tensor, features: Tensor) -> Tensor:
        x = torch.cat([vectors, features], dim=-1)
        logs = []
        for module in self.model.members:
            member = cast("AbstractContextModel", module)
            own = member.input_proj(x)  # (1, N, D)
            context, _ = member.context(own)  # (1, N, 2D)
            logits = member.classifier(torch.cat([own, context], dim=-1))  # (1, N, C)
            logs.append(logits.log_softmax(dim=-1))
        stacked = torch.stack(logs)  # (M, 1, N, C)
        return torch.logsumexp(stacked, dim=0) - math.log(len(logs))


def machine_precision(
    source: Path | str, cache_dir: Path | None = None, texts: Sequence[str] | None = None
) -> tuple[ExportPrecision, Any]:
    """The export precision this machine should run the abstract-level model in `source` at,
    from its encoder's `auto` choice (`medlm.lm.precision`: the fastest path within cosine
    0.99 of fp32, measured on real sentences or `texts`, cached under `cache_dir`), and that
    choice (a `PrecisionChoice`)."""
    from medlm.lm.encoding import TextEncoder

    if not is_abstract_model(source):
        raise InputError(
            f"{source}: precision auto is for abstract-level role models; give fp32 or int8"
        )
    model = AbstractRoleModel.load(source)
    torch_encoder = model.text_encoder()
    encoder = TextEncoder(
        torch_encoder.model,
        torch_encoder.tokenizer,
        name=model.encoder,
        max_length=model.max_length,
        precision="auto",
        cache_dir=cache_dir,
    )
    choice = encoder.choose(texts)
    return ("int8" if choice.chosen in INT8_PATHS else "fp32"), choice


def is_role_export(folder: Path | str) -> bool:
    return (Path(folder) / EXPORT_FILE).is_file()


def _export_context(model: ContextEnsemble, path: Path) -> None:
    import warnings

    from medlm.lm.export import OPSET, require_package

    require_package("onnx", "onnx", "ONNX export")
    config = model.config
    example = (torch.randn(1, 3, config.vector_dim), torch.randn(1, 3, config.feature_dim))
    axes = {1: "sentences"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the GRU export warns about batch sizes; B is 1
        torch.onnx.export(
            _ContextGraph(model.eval()),
            example,
            str(path),
            input_names=["vectors", "features"],
            output_names=["logits"],
            dynamic_axes={"vectors": axes, "features": axes, "logits": axes},
            opset_version=OPSET,
            dynamo=False,
        )


def _export_abstract_model(source: Path, out: Path, precision: ExportPrecision) -> None:
    from medlm.lm.export import INFO_FILE, export_encoder_onnx, quantize_int8, read_export_info

    model = AbstractRoleModel.load(source)
    encoder = model.text_encoder()
    fp32_dir = out / (ENCODER_DIR if precision == "fp32" else "encoder-fp32")
    export_encoder_onnx(encoder.model, encoder.tokenizer, fp32_dir)
    info = read_export_info(fp32_dir).model_copy(update={"max_length": model.max_length})
    (fp32_dir / INFO_FILE).write_text(info.model_dump_json(indent=2))  # truncate like torch
    if precision == "int8":
        quantize_int8(fp32_dir, out / ENCODER_DIR)
        shutil.rmtree(fp32_dir)
    _export_context(model.model_, out / CONTEXT_FILE)
    for item in source.iterdir():
        if item.is_file():
            shutil.copy2(item, out / item.name)


def export_role_model(
    source: Path | str, out: Path | str, precision: ExportPrecision = "fp32"
) -> Path:
    """Export the role model in `source` (either kind) to the folder `out` at `precision`."""
    from medlm.lm.export import quantize_int8
    from medlm.training.sentence_roles import SentenceRoleClassifier

    source, out = Path(source), Path(out)
    if not source.is_dir():
        raise InputError(f"sentence-role model folder {source} does not exist")
    if out.resolve() == source.resolve():
        raise InputError(f"export folder {out} is the model folder; give another one")
    if out.exists() and any(out.iterdir()):
        raise InputError(f"export folder {out} is not empty; give a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)
    if is_abstract_model(source):
        kind: Literal["abstract-context", "sentence-classifier"] = "abstract-context"
        _export_abstract_model(source, out, precision)
    else:
        kind = "sentence-classifier"
        classifier = SentenceRoleClassifier.load(source)
        if precision == "fp32":
            classifier.export_onnx(out)
        else:
            fp32 = classifier.export_onnx(out.with_name(out.name + "-fp32-tmp"))
            quantize_int8(fp32, out)
            shutil.rmtree(fp32)
    info = RoleExportInfo(kind=kind, precision=precision, source=str(source))
    (out / EXPORT_FILE).write_text(info.model_dump_json(indent=2))
    logger.info("exported %s role model %s to %s (%s)", kind, source, out, precision)
    return out


class _OnnxSentenceEncoder:
    """The exported sentence encoder behind the part of `TextEncoder` that the abstract-level
    model's inputs use (`embed`, `name`, `max_length`), so its features come out unchanged."""

    def __init__(self, folder: Path) -> None:
        from medlm.lm.onnx_inference import OnnxEncoder

        self.session = OnnxEncoder(folder)
        self.name = f"onnx:{folder}"
        self.max_length = self.session.max_length

    def embed(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        on_batch: Callable[[int], Any] | None = None,
        **_: Any,
    ) -> np.ndarray:
        vectors = self.session.embed(texts, batch_size=batch_size)
        if on_batch is not None:
            on_batch(len(texts))
        return vectors


class OnnxAbstractRoleModel(AbstractRoleModel):
    """The abstract-level model run from its export: onnxruntime for the sentence encoder and
    the context model; features, decoding and calibration are `AbstractRoleModel`'s own."""

    onnx_encoder_: _OnnxSentenceEncoder
    context_session_: Any  # an onnxruntime InferenceSession

    @classmethod
    def load(cls, folder: Path | str) -> OnnxAbstractRoleModel:
        from medlm.lm.export import require_package

        folder = Path(folder)
        model = super().load(folder)
        assert isinstance(model, OnnxAbstractRoleModel)
        model.onnx_encoder_ = _OnnxSentenceEncoder(folder / ENCODER_DIR)
        ort = require_package("onnxruntime", "onnxruntime", "ONNX inference")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one abstract at a time: a few small matrices
        model.context_session_ = ort.InferenceSession(
            str(folder / CONTEXT_FILE), options, providers=["CPUExecutionProvider"]
        )
        return model

    def fit(self, *args: Any, **kwargs: Any) -> OnnxAbstractRoleModel:
        raise InputError("an ONNX export of a role model cannot be trained; fit the torch model")

    def text_encoder(self) -> TextEncoder:
        """The exported encoder, in the role of the torch `TextEncoder` (duck-typed)."""
        return cast("TextEncoder", self.onnx_encoder_)

    def probabilities_of(self, inputs: AbstractInputs) -> np.ndarray:
        """(N, C) role probabilities, one abstract per context-model run."""
        out = np.zeros((len(inputs.sentences), self.model_.config.num_labels), dtype=np.float32)
        for start, end in inputs.spans:
            feeds = {
                "vectors": inputs.vectors[None, start:end].astype(np.float32),
                "features": inputs.features[None, start:end].astype(np.float32),
            }
            logits = self.context_session_.run(["logits"], feeds)[0][0]  # (n, C)
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            out[start:end] = shifted / shifted.sum(axis=1, keepdims=True)
        return out


def load_role_export(folder: Path | str) -> OnnxAbstractRoleModel | SentenceRoleClassifier:
    """An export folder's model: the ONNX abstract-level model or the ONNX classifier."""
    from medlm.training.sentence_roles import SentenceRoleClassifier

    info = RoleExportInfo.model_validate_json((Path(folder) / EXPORT_FILE).read_text())
    if info.kind == "abstract-context":
        return OnnxAbstractRoleModel.load(folder)
    return SentenceRoleClassifier.load(Path(folder))
