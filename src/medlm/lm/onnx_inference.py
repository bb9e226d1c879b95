"""onnxruntime inference on an export folder: `OnnxEncoder.embed` and `OnnxClassifier` logits.

Both read the folder written by `medlm.lm.export` and batch texts by length like
`TextEncoder.embed`, padding with numpy; results come back in the order of the texts.
`run_ids` runs one batch of token ids the caller built (with segment ids where the export
takes them), for inputs that are not plain texts, such as the sentence-role layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from medlm.errors import InputError
from medlm.lm.export import MODEL_FILE, SEGMENT_INPUT, read_export_info, require_package
from medlm.lm.tokenizer import Tokenizer


class _OnnxModel:
    """An onnxruntime session over an export folder, with the tokenizer and length batching."""

    expected_kind: Literal["encoder", "classifier"] = "encoder"

    def __init__(self, folder: Path | str, *, num_threads: int = 2) -> None:
        self.folder = Path(folder)
        self.info = read_export_info(self.folder)
        if self.info.kind != self.expected_kind:
            raise InputError(
                f"{self.folder} holds an export of kind {self.info.kind!r}, "
                f"not {self.expected_kind!r}"
            )
        ort = require_package("onnxruntime", "onnxruntime", "ONNX inference")
        options = ort.SessionOptions()
        options.intra_op_num_threads = num_threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(self.folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.load(self.folder)
        self.max_length = self.info.max_length

    def run_ids(
        self,
        input_ids: np.ndarray,
        attention_mask: np.ndarray,
        segment_ids: np.ndarray | None = None,
    ) -> np.ndarray:
        """(B, dim) float32 outputs of one padded batch: ids, mask and segments are (B, T).

        Segment ids go to exports that take `token_type_ids` (zeros when not given); giving
        them to an export without that input is an InputError rather than a silent drop.
        """
        feeds = {
            "input_ids": np.asarray(input_ids, dtype=np.int64),
            "attention_mask": np.asarray(attention_mask, dtype=np.int64),
        }
        if SEGMENT_INPUT in self.info.inputs:
            segments = np.zeros_like(feeds["input_ids"]) if segment_ids is None else segment_ids
            feeds[SEGMENT_INPUT] = np.asarray(segments, dtype=np.int64)
        elif segment_ids is not None:
            raise InputError(f"{self.folder} was exported without segment ids ({SEGMENT_INPUT})")
        return np.asarray(self.session.run([self.info.output], feeds)[0], dtype=np.float32)

    def _run(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """(N, dim) float32 outputs in the order of `texts`, batched by length."""
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(f"text {i} is a {type(text).__name__}, not a string")
        out = np.zeros((len(texts), self.info.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self.tokenizer.encode(texts, self.max_length)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            longest = max(len(ids[i]) for i in rows)
            input_ids = np.full((len(rows), longest), self.tokenizer.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), longest), dtype=np.int64)
            for row, i in enumerate(rows):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            out[rows] = self.run_ids(input_ids, mask)
        return out


class OnnxEncoder(_OnnxModel):
    """`TextEncoder`'s `embed` on an exported encoder, run by onnxruntime (2 threads default).

    >>> OnnxEncoder("minilm-onnx").embed(["Patient denies chest pain."]).shape  # doctest: +SKIP
    (1, 384)
    """

    expected_kind = "encoder"

    @property
    def dim(self) -> int:
        return self.info.dim

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """(N, D) float32 array of unit-length mean-pooled embeddings, in the order of `texts`."""
        return self._run(texts, batch_size)


class OnnxClassifier(_OnnxModel):
    """An exported `SequenceClassifier` run by onnxruntime: logits, probabilities, classes."""

    expected_kind = "classifier"

    @property
    def labels(self) -> list[str] | None:
        return self.info.labels

    @property
    def num_labels(self) -> int:
        return self.info.dim

    def logits(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """(N, C) float32 logits in the order of `texts`."""
        return self._run(texts, batch_size)

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        logits = self.logits(texts, batch_size=batch_size)
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return np.asarray(shifted / shifted.sum(axis=1, keepdims=True), dtype=np.float32)

    def predict(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """(N,) class ids."""
        return np.asarray(self.logits(texts, batch_size=batch_size).argmax(axis=1))
