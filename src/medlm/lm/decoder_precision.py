"""`auto` precision for a decoder: its paths' next-token logits compared with fp32's.

Generation feeds each token back, so a decoder path is scored on one teacher-forced forward
pass over calibration sentences: the lowest cosine, over every real token position, between
its next-token logits and fp32's must be at least 0.99. Encoder-decoder models are not measured
(their forward pass needs decoder inputs): `auto` runs them in fp32.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from medlm.lm import precision as prec
from medlm.lm.models import Batch, CausalLanguageModel
from medlm.lm.tokenizer import Tokenizer

CALIBRATION_SENTENCES = 32


def choose_decoder_path(
    model: CausalLanguageModel,
    tokenizer: Tokenizer,
    *,
    name: str = "",
    cache_dir: Path | None = None,
    texts: Sequence[str] | None = None,
) -> prec.PrecisionPath:
    """The fastest decoder path within cosine 0.99 of fp32's logits (cached like encoders)."""
    if model.config.has_encoder:
        return "fp32"
    weights = prec.weights_hash(model)
    key = prec.choice_key("decoder", name, weights)
    return prec.cached_choice(
        key, cache_dir, lambda: _measure(model, tokenizer, key, name, weights, texts)
    ).chosen


def _measure(
    model: CausalLanguageModel,
    tokenizer: Tokenizer,
    key: str,
    name: str,
    weights: str,
    texts: Sequence[str] | None,
) -> prec.PrecisionChoice:
    sample = list(texts) if texts is not None else prec.calibration_texts(CALIBRATION_SENTENCES)
    ids = tokenizer.encode(sample, model.config.max_length)
    input_ids, mask = tokenizer.pad(ids)  # (B, T)
    runs: dict[prec.PrecisionPath, Callable[[], np.ndarray]] = {
        path: _logits_run(prec.path_model(model, path), path, input_ids, mask)
        for path in prec.candidate_paths("decoder")
    }
    cosine = ("min cosine of next-token logits to fp32", prec.min_cosine, prec.cosine_bar)
    return prec.measured_choice(key, "decoder", name, weights, runs, len(sample), cosine)


def _logits_run(
    model: torch.nn.Module, path: prec.PrecisionPath, input_ids: torch.Tensor, mask: torch.Tensor
) -> Callable[[], np.ndarray]:
    def run() -> np.ndarray:
        with torch.inference_mode(), prec.path_context(path):
            logits = model(Batch(input_ids, mask)).logits  # (B, T, V)
        return logits[mask].float().numpy()  # (real tokens, V)

    return run
