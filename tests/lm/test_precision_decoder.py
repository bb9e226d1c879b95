"""Decoder precision: LocalBackend generates in fp32, bf16 autocast and torch int8."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from lm_helpers import tiny_config

from medlm.errors import InputError
from medlm.lm import precision as prec
from medlm.lm.backends import LocalBackend
from medlm.lm.generation import GenerationConfig
from medlm.lm.models import CausalLanguageModel
from medlm.lm.tokenizer import train_byte_bpe

GREEDY = GenerationConfig(max_new_tokens=4)


def _backend(precision: prec.Precision, cache_dir: Path | None = None) -> LocalBackend:
    torch.manual_seed(0)
    texts = ["the patient has a fever", "blood pressure was normal", "no chest pain"] * 5
    tokenizer = train_byte_bpe(texts, vocab_size=300)
    config = tiny_config(architecture="decoder", vocab_size=tokenizer.vocab_size, max_length=32)
    model = CausalLanguageModel(config)
    return LocalBackend(model, tokenizer, precision=precision, cache_dir=cache_dir)


@pytest.mark.parametrize(
    ("precision", "path"), [("fp32", "fp32"), ("bf16", "bf16-autocast"), ("int8", "int8-torch")]
)
def test_local_backend_generates_on_the_precision_path(
    precision: prec.Precision, path: prec.PrecisionPath
) -> None:
    if precision == "bf16" and not prec.bf16_supported():
        pytest.skip("this CPU has no native bf16")
    backend = _backend(precision)
    result = backend.generate("the patient", GREEDY)
    assert backend.path == path
    assert 1 <= len(result.token_ids) <= 4 and result.text is not None
    assert next(backend.model.parameters()).dtype == torch.float32


def test_bf16_decoder_is_refused_where_the_cpu_lacks_bf16(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prec, "bf16_supported", lambda: False)
    with pytest.raises(InputError, match="lacks bf16"):
        _backend("bf16")


def test_auto_decoder_measures_its_paths_on_logits_and_caches_the_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prec, "calibration_texts", lambda n=32: ["the patient has a fever"] * 3)
    backend = _backend("auto", cache_dir=tmp_path)
    assert backend.path in prec.candidate_paths("decoder")
    files = list((tmp_path / prec.CACHE_SUBDIR).glob("*.json"))
    choice = prec.PrecisionChoice.model_validate_json(files[0].read_text())
    assert choice.kind == "decoder" and choice.chosen == backend.path
    assert [r.path for r in choice.candidates] == prec.candidate_paths("decoder")
    assert all(r.quality is not None and r.quality >= 0.99 for r in choice.candidates if r.passed)
    assert backend.generate("the patient", GREEDY).token_ids
