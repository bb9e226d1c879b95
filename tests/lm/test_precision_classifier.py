"""Classifier precision: a sentence-role classifier runs fp32, bf16, int8; auto keeps macro-F1."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from roles_helpers import synthetic_abstracts

from medlm.datasets.medline_corpus import ROLES
from medlm.errors import InputError
from medlm.lm import precision as prec
from medlm.lm.config import TransformerConfig
from medlm.lm.models import SequenceClassifier
from medlm.lm.tokenizer import train_wordpiece
from medlm.training.sentence_roles import SentenceRoleClassifier

SAMPLE = synthetic_abstracts(3, "validation")


def _classifier() -> SentenceRoleClassifier:
    torch.manual_seed(0)
    texts = [s.text for s in SAMPLE] + ["sentence 1 of 5, decile 0."]
    tokenizer = train_wordpiece(texts * 4, vocab_size=150)
    config = TransformerConfig(
        vocab_size=tokenizer.vocab_size, d_model=32, n_heads=4, n_layers=2, d_ff=64, max_length=128
    )
    return SentenceRoleClassifier(SequenceClassifier(config, len(ROLES)), tokenizer)


@pytest.mark.parametrize("precision", ["bf16", "int8"])
def test_explicit_precision_keeps_the_fp32_probabilities_close(precision: prec.Precision) -> None:
    if precision == "bf16" and not prec.bf16_supported():
        pytest.skip("this CPU has no native bf16")
    classifier = _classifier()
    reference = classifier.probabilities(SAMPLE)
    classifier.use_precision(precision)
    assert classifier.path == prec.EXPLICIT_PATHS["classifier"][precision]
    probabilities = classifier.probabilities(SAMPLE)
    assert probabilities.dtype == torch.float32
    assert torch.allclose(probabilities.sum(dim=1), torch.ones(len(SAMPLE)), atol=1e-5)
    assert (probabilities - reference).abs().max() < 0.05
    assert next(classifier.model.parameters()).dtype == torch.float32  # fp32 model untouched


def test_auto_picks_a_path_within_half_a_point_of_fp32_macro_f1(tmp_path: Path) -> None:
    classifier = _classifier().use_precision("auto", cache_dir=tmp_path, sample=SAMPLE)
    assert classifier.path in prec.candidate_paths("classifier")
    choice = prec.load_choice(tmp_path, next(iter(_keys(tmp_path))))
    assert choice is not None and choice.kind == "classifier" and choice.quality_name == "macro-F1"
    fp32 = next(r for r in choice.candidates if r.path == "fp32")
    for row in choice.candidates:
        if row.passed:
            assert row.quality is not None and row.quality >= fp32.quality - 0.005  # type: ignore[operator]
    assert choice.chosen == classifier.path


def _keys(cache_dir: Path) -> list[str]:
    return [
        prec.PrecisionChoice.model_validate_json(f.read_text()).key
        for f in (cache_dir / prec.CACHE_SUBDIR).glob("*.json")
    ]


def test_unknown_precision_is_refused_before_any_run() -> None:
    with pytest.raises(InputError, match="fp16"):
        _classifier().use_precision("fp16")  # type: ignore[arg-type]
