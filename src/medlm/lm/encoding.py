"""Inference: turn texts into mean-pooled, L2-normalised sentence embeddings, in batches.

Texts are tokenized once, sorted by length and batched so that each batch pads only to its
own longest text (length bucketing); embeddings come back in the input order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from medlm.errors import InputError
from medlm.lm.heads import mean_pool
from medlm.lm.models import Batch, LanguageModel
from medlm.lm.pretrained import load_pretrained
from medlm.lm.tokenizer import Tokenizer

logger = logging.getLogger(__name__)


class TextEncoder:
    """A pretrained encoder and its tokenizer, ready to embed texts.

    >>> encoder = TextEncoder.from_pretrained("minilm")  # doctest: +SKIP
    >>> encoder.embed(["Patient denies chest pain."]).shape  # doctest: +SKIP
    (1, 384)
    """

    def __init__(
        self, model: LanguageModel, tokenizer: Tokenizer, *, name: str = "", max_length: int = 256
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.max_length = max_length

    @classmethod
    def from_pretrained(cls, name_or_path: str, *, max_length: int = 256) -> TextEncoder:
        """Load by known name ("minilm") or folder (BERT weights or a medlm checkpoint)."""
        model, tokenizer = load_pretrained(name_or_path)
        return cls(model, tokenizer, name=name_or_path, max_length=max_length)

    @property
    def dim(self) -> int:
        return self.model.config.d_model

    def embed(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """(N, D) float32 array of unit-length mean-pooled embeddings, in the order of `texts`.

        `on_batch(n)` is called after each batch with the number of texts it held.
        """
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(f"text {i} is a {type(text).__name__}, not a string")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self.tokenizer.encode(texts, self.max_length)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                input_ids, padding_mask = self.tokenizer.pad([ids[i] for i in rows])
                hidden = self.model(Batch(input_ids, padding_mask)).hidden  # (B, T, D)
                pooled = F.normalize(mean_pool(hidden, padding_mask), dim=-1)  # (B, D)
                out[rows] = pooled.float().numpy()
                if on_batch is not None:
                    on_batch(len(rows))
        logger.debug("embedded %d texts in batches of %d", len(texts), batch_size)
        return out


def embed(texts: Sequence[str], model: str = "minilm", batch_size: int = 32) -> np.ndarray:
    """Convenience: load `model` and embed `texts` (loads the model on every call)."""
    return TextEncoder.from_pretrained(model).embed(texts, batch_size=batch_size)
