"""Domain-adaptive pretraining: held-out loss before and after, on a small synthetic corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from training_helpers import runs_repeat_after_random_state_moves

from medlm.errors import InputError
from medlm.lm.checkpoint import load_checkpoint
from medlm.lm.models import MaskedLanguageModel, Seq2SeqLanguageModel
from medlm.training import pretraining

# SYNTHETIC corpus: a few repeated clinical-style sentences, easy to learn.
TEXTS = [
    f"patient {i % 7} with type 2 diabetes received metformin and the hba1c fell by {i % 5} percent"
    for i in range(120)
]
TINY = {"d_model": 32, "n_heads": 4, "n_layers": 2, "n_decoder_layers": 1, "d_ff": 64}


@pytest.fixture
def corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(limit: int | None = None) -> dict[str, list[str]]:
        return {"train": TEXTS[:100][:limit], "validation": [], "test": TEXTS[100:]}

    monkeypatch.setattr(pretraining, "corpus_texts", fake)


@pytest.mark.parametrize(
    ("architecture", "kind"),
    [("encoder", MaskedLanguageModel), ("encoder-decoder", Seq2SeqLanguageModel)],
)
def test_scratch_pretraining_lowers_held_out_loss_and_saves_a_checkpoint(
    corpus: None, tmp_path: Path, architecture: str, kind: type
) -> None:
    torch.manual_seed(0)
    summary = pretraining.pretrain_medline(
        "scratch",
        tmp_path / "m",
        architecture=architecture,  # type: ignore[arg-type]
        max_steps=30,
        batch_size=8,
        precision="fp32",
        learning_rate=2e-3,
        scratch_overrides=TINY,
    )
    assert summary.steps == 30 and summary.tokens_seen > 0
    assert summary.after.loss < summary.before.loss - 1.0, summary
    assert summary.before.perplexity > summary.after.perplexity
    model, tokenizer = load_checkpoint(tmp_path / "m")
    assert isinstance(model, kind) and tokenizer is not None


def test_held_out_loss_is_deterministic_for_the_same_model(corpus: None, tmp_path: Path) -> None:
    pretraining.pretrain_medline(
        "scratch", tmp_path / "m", max_steps=1, batch_size=8, scratch_overrides=TINY
    )
    model, tokenizer = load_checkpoint(tmp_path / "m")
    assert tokenizer is not None
    from medlm.training.batching import Example

    examples = [Example(ids) for ids in tokenizer.encode(TEXTS[100:])]
    first = pretraining.held_out_loss(model, tokenizer, examples)
    assert first == pretraining.held_out_loss(model, tokenizer, examples)


def test_minilm_continues_masked_lm_after_fitting_a_head_on_the_frozen_encoder(
    corpus: None, tmp_path: Path
) -> None:
    summary = pretraining.pretrain_medline(
        "minilm", tmp_path / "m", max_steps=3, head_steps=3, batch_size=8, precision="fp32"
    )
    assert summary.init == "minilm" and summary.steps == 3
    assert summary.after.loss < summary.before.loss


def test_a_budget_is_required_and_minilm_is_encoder_only(corpus: None, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="max-steps or --time-budget"):
        pretraining.pretrain_medline("scratch", tmp_path / "m")
    with pytest.raises(InputError, match="--arch encoder"):
        pretraining.pretrain_medline(
            "minilm", tmp_path / "m", architecture="encoder-decoder", max_steps=1
        )


def test_the_seed_fixes_a_scratch_run_even_after_other_work(corpus: None, tmp_path: Path) -> None:
    # The encoder-decoder's byte-level BPE vocabulary is deterministic; the WordPiece trainer of
    # `tokenizers` is not (huggingface/tokenizers#1794), so the encoder path is not compared.
    def run(out: Path) -> object:
        return pretraining.pretrain_medline(
            "scratch", out, architecture="encoder-decoder", max_steps=2, batch_size=8,
            precision="fp32", seed=5, scratch_overrides=TINY,
        )  # fmt: skip

    assert runs_repeat_after_random_state_moves(run, tmp_path)
