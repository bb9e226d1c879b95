"""Each precision path of a tiny encoder stays within cosine 0.99 of fp32; `auto` measures them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from lm_helpers import tiny_config

from medlm.lm import precision as prec
from medlm.lm.encoding import TextEncoder
from medlm.lm.models import LanguageModel
from medlm.lm.tokenizer import train_wordpiece

TEXTS = [
    "Patient denies chest pain.",
    "Randomised controlled trial of metformin in adults with type 2 diabetes.",
    "Fever and cough for a week with sputum.",
    "No adverse events were reported in either arm of the study.",
    "pain",
]


def _encoder(precision: prec.Precision = "fp32", cache_dir: Path | None = None) -> TextEncoder:
    torch.manual_seed(0)
    tokenizer = train_wordpiece(TEXTS * 3, vocab_size=120)
    model = LanguageModel(tiny_config(vocab_size=tokenizer.vocab_size, max_length=32))
    return TextEncoder(
        model, tokenizer, name="tiny", max_length=32, precision=precision, cache_dir=cache_dir
    )


TORCH_PATHS: list[prec.PrecisionPath] = ["bf16-autocast", "bf16-weights", "int8-torch"]


@pytest.mark.parametrize("path", TORCH_PATHS)
def test_torch_path_embeddings_are_within_cosine_099_of_fp32(path: prec.PrecisionPath) -> None:
    if path.startswith("bf16") and not prec.bf16_supported():
        pytest.skip("this CPU has no native bf16")
    encoder = _encoder()
    reference = encoder.embed(TEXTS, path="fp32")
    vectors = encoder.embed(TEXTS, path=path)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert prec.min_cosine(vectors, reference) >= 0.99


def test_bf16_weights_leave_the_fp32_model_untouched() -> None:
    if not prec.bf16_supported():
        pytest.skip("this CPU has no native bf16")
    encoder = _encoder("bf16")
    encoder.embed(TEXTS)
    assert encoder.path == "bf16-weights"
    assert next(encoder.model.parameters()).dtype == torch.float32


def test_int8_onnx_embeddings_are_within_cosine_099_of_fp32(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    encoder = _encoder("int8", cache_dir=tmp_path)
    vectors = encoder.embed(TEXTS)
    assert encoder.path == "int8-onnx"
    assert list((tmp_path / "onnx").iterdir()), "the int8 export is kept under the cache folder"
    assert prec.min_cosine(vectors, encoder.embed(TEXTS, path="fp32")) >= 0.99


def test_auto_measures_once_picks_a_passing_path_and_reads_the_cache_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prec, "onnx_available", lambda: False)
    encoder = _encoder("auto", cache_dir=tmp_path)
    choice = encoder.choose(TEXTS)
    assert [r.path for r in choice.candidates] == prec.candidate_paths("encoder")
    chosen = next(r for r in choice.candidates if r.chosen)
    assert chosen.passed and chosen.path == choice.chosen
    assert all(r.quality >= 0.99 for r in choice.candidates if r.passed)

    again = _encoder("auto", cache_dir=tmp_path)
    monkeypatch.setattr(
        "medlm.lm.encoder_precision.measure_encoder",
        lambda *a, **k: pytest.fail("measured again despite the cache"),
    )
    assert again.path == choice.chosen
    assert prec.min_cosine(again.embed(TEXTS), again.embed(TEXTS, path="fp32")) >= 0.99
