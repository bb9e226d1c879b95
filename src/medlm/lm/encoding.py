"""Inference: turn texts into mean-pooled, L2-normalised sentence embeddings, in batches.

Texts are tokenized once, sorted by length and grouped by a token budget, so each batch pads
only to its own longest text and short texts come in larger batches (length bucketing);
embeddings come back in the input order. `precision=` picks the path the model runs
(`medlm.lm.precision`): fp32, bf16 (autocast or bf16 weights), int8 (torch or onnxruntime) or
`auto`, which measures them here on real sentences and keeps the fastest that stays within
cosine 0.99 of fp32. Pooling and normalisation are always fp32.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import get_args

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from medlm.errors import InputError
from medlm.lm import precision as prec
from medlm.lm.heads import mean_pool
from medlm.lm.models import Batch, LanguageModel
from medlm.lm.pretrained import load_pretrained
from medlm.lm.tokenizer import Tokenizer

logger = logging.getLogger(__name__)

TOKENS_PER_ROW = 40  # token budget per batch row: about one MEDLINE sentence


class TextEncoder:
    """A pretrained encoder and its tokenizer, ready to embed texts.

    >>> encoder = TextEncoder.from_pretrained("minilm", precision="auto")  # doctest: +SKIP
    >>> encoder.embed(["Patient denies chest pain."]).shape  # doctest: +SKIP
    (1, 384)
    """

    def __init__(
        self,
        model: LanguageModel,
        tokenizer: Tokenizer,
        *,
        name: str = "",
        max_length: int = 256,
        precision: prec.Precision = "fp32",
        cache_dir: Path | None = None,
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.max_length = max_length
        self.precision = prec.check_precision(precision)
        self.cache_dir = cache_dir
        self.choice: prec.PrecisionChoice | None = None
        self._path: prec.PrecisionPath | None = None
        self._runners: dict[prec.PrecisionPath, Callable[[Tensor, Tensor], Tensor]] = {}

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str,
        *,
        max_length: int = 256,
        precision: prec.Precision = "fp32",
        cache_dir: Path | None = None,
    ) -> TextEncoder:
        """Load by known name ("minilm") or folder (BERT weights or a medlm checkpoint)."""
        model, tokenizer = load_pretrained(name_or_path)
        return cls(
            model,
            tokenizer,
            name=name_or_path,
            max_length=max_length,
            precision=precision,
            cache_dir=cache_dir,
        )

    @property
    def dim(self) -> int:
        return self.model.config.d_model

    @property
    def path(self) -> prec.PrecisionPath:
        """The path `embed` runs (for `auto`, measured at first use and cached)."""
        if self._path is None:
            if self.precision == "auto":
                self.choice = self.choose()
                self._path = self.choice.chosen
            else:
                self._path = prec.explicit_path(self.precision, "encoder")
            logger.info("encoder %s runs %s", self.name or "(unnamed)", self._path)
        return self._path

    def run_on(self, path: str) -> TextEncoder:
        """Run `path` (e.g. the one `auto` chose elsewhere, so that every worker of a batch job
        runs the same path); an unknown path is an InputError. Returns self."""
        if path not in get_args(prec.PrecisionPath):
            raise InputError(
                f"precision path {path!r}: use one of {', '.join(get_args(prec.PrecisionPath))}"
            )
        self._path = path  # type: ignore[assignment]
        return self

    def choose(self, texts: Sequence[str] | None = None) -> prec.PrecisionChoice:
        """Measure the candidate paths on `texts` (default: real MEDLINE sentences), or read
        the cached table; the table's chosen path is the fastest within cosine 0.99 of fp32."""
        from medlm.lm.encoder_precision import measure_encoder

        weights = prec.weights_hash(self.model)
        key = prec.choice_key("encoder", self.name, weights)
        return prec.cached_choice(
            key, self.cache_dir, lambda: measure_encoder(self, key, weights, texts)
        )

    def runner(self, path: prec.PrecisionPath) -> Callable[[Tensor, Tensor], Tensor]:
        """(input_ids, padding_mask) (B, T) -> (B, D) fp32 unit-length embeddings on `path`."""
        if path not in self._runners:
            from medlm.lm.encoder_precision import build_runner

            self._runners[path] = build_runner(self, path)
        return self._runners[path]

    def embed(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        on_batch: Callable[[int], None] | None = None,
        path: prec.PrecisionPath | None = None,
    ) -> np.ndarray:
        """(N, D) float32 array of unit-length mean-pooled embeddings, in the order of `texts`.

        Batches hold about `batch_size * 40` tokens. `on_batch(n)` is called after each batch
        with the number of texts it held. `path` overrides the encoder's precision path.
        """
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(f"text {i} is a {type(text).__name__}, not a string")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        run = self.runner(path or self.path)
        ids = self.tokenizer.encode(texts, self.max_length)
        lengths = [len(row) for row in ids]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        with torch.inference_mode():
            for rows in token_batches(order, lengths, batch_size * TOKENS_PER_ROW):
                input_ids, padding_mask = self.tokenizer.pad([ids[i] for i in rows])
                out[rows] = run(input_ids, padding_mask).numpy()
                if on_batch is not None:
                    on_batch(len(rows))
        logger.debug("embedded %d texts", len(texts))
        return out


def token_batches(
    order: Sequence[int], lengths: Sequence[int], token_budget: int
) -> Iterator[list[int]]:
    """Rows of `order` (sorted by length) grouped so each padded batch holds about
    `token_budget` tokens: short texts come in larger batches than long ones."""
    rows: list[int] = []
    for i in order:
        if rows and (len(rows) + 1) * max(lengths[i], 1) > token_budget:
            yield rows
            rows = []
        rows.append(i)
    if rows:
        yield rows


def pooled(model: LanguageModel, input_ids: Tensor, padding_mask: Tensor) -> Tensor:
    """(B, D) fp32 unit-length mean-pooled hidden states of one padded batch."""
    hidden = model(Batch(input_ids, padding_mask)).hidden  # (B, T, D)
    return F.normalize(mean_pool(hidden.float(), padding_mask), dim=-1)  # (B, D)


def embed(texts: Sequence[str], model: str = "minilm", batch_size: int = 32) -> np.ndarray:
    """Convenience: load `model` and embed `texts` (loads the model on every call)."""
    return TextEncoder.from_pretrained(model).embed(texts, batch_size=batch_size)
