"""Sentence-role inputs, fine-tuning, evaluation and the TF-IDF baseline (synthetic data)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch
from roles_helpers import synthetic_abstracts, tiny_encoder_checkpoint
from training_helpers import runs_repeat_after_random_state_moves

from medlm.datasets.medline_corpus import ROLES
from medlm.errors import InputError, NotFittedError
from medlm.lm.checkpoint import load_checkpoint
from medlm.training.finetuning import evaluate_sentence_roles, finetune_sentence_roles
from medlm.training.sentence_roles import (
    RoleEncoder,
    SentenceRoleClassifier,
    abstract_sentences,
    position_words,
    role_batch,
    subsample,
)
from medlm.training.tfidf_roles import TfidfRoleBaseline


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_encoder_checkpoint(tmp_path_factory.mktemp("tiny") / "encoder")


def test_position_words_give_rank_length_and_decile() -> None:
    assert position_words(0, 10) == "sentence 1 of 10, decile 0."
    assert position_words(9, 10) == "sentence 10 of 10, decile 9."
    assert position_words(4, 5) == "sentence 5 of 5, decile 8."


def test_inputs_hold_sentence_then_neighbours_and_segments_mark_the_context(
    checkpoint: Path,
) -> None:
    _, tokenizer = load_checkpoint(checkpoint)
    assert tokenizer is not None
    sentence = synthetic_abstracts(1)[2]
    ids = RoleEncoder(tokenizer).encode([sentence])[0]
    sep = tokenizer.token_id("[SEP]")
    assert ids[0] == tokenizer.token_id("[CLS]") and ids.count(sep) == 3 and ids[-1] == sep
    text = tokenizer.decode(ids)
    assert text.index("randomized") < text.index("aimed") < text.index("significantly")
    batch = role_batch([ids, [*ids[:5], sep]], tokenizer.pad_id, sep)
    first_sep = ids.index(sep)
    assert batch.segment_ids is not None
    assert batch.segment_ids[0, : first_sep + 1].sum() == 0
    assert bool((batch.segment_ids[0, first_sep + 1 :] == 1).all())
    assert batch.segment_ids[1, 6:].sum() == 0  # padding stays segment 0


def test_neighbours_are_truncated_to_their_budget(checkpoint: Path) -> None:
    _, tokenizer = load_checkpoint(checkpoint)
    assert tokenizer is not None
    sentence = synthetic_abstracts(1)[2].model_copy(update={"previous": "rate " * 100})
    ids = RoleEncoder(tokenizer, sentence_tokens=64, context_tokens=5).encode([sentence])[0]
    sep = tokenizer.token_id("[SEP]")
    first, second = [i for i, t in enumerate(ids) if t == sep][:2]
    assert second - first - 1 == 5


def test_subsample_keeps_whole_abstracts() -> None:
    sentences = synthetic_abstracts(10)
    chosen = subsample(sentences, 12, seed=0)
    pmids = {s.pmid for s in chosen}
    assert len(chosen) == 5 * len(pmids) and 12 <= len(chosen) <= 15
    assert chosen == subsample(sentences, 12, seed=0)


def test_finetuned_classifier_learns_synthetic_roles_and_round_trips(
    checkpoint: Path, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    out = tmp_path / "roles"
    summary = finetune_sentence_roles(
        str(checkpoint),
        out,
        train=synthetic_abstracts(40),
        max_train_sentences=None,
        epochs=6,
        batch_size=20,
        learning_rate=3e-3,
        warmup_steps=0,
        precision="fp32",
        validation=synthetic_abstracts(5, "validation"),
    )
    assert summary.train_sentences == 200 and summary.steps == 60
    metrics = evaluate_sentence_roles(str(out), sentences=synthetic_abstracts(10, "test"))
    assert metrics.macro_f1 > 0.9, metrics
    assert set(metrics.per_class_f1) == set(ROLES)
    assert metrics.decoding.startswith("per-role biases")
    assert metrics.sentence_level_macro_f1 is not None
    assert (out / "role_transitions.json").exists() and (out / "role_calibration.json").exists()
    classifier = SentenceRoleClassifier.load(out)
    predictions = classifier.predict_abstract([s.text for s in synthetic_abstracts(1, "test")])
    assert [p.role for p in predictions] == list(ROLES)
    assert all(0.2 < p.score <= 1.0 for p in predictions)


def test_time_budget_stops_training_early(checkpoint: Path, tmp_path: Path) -> None:
    summary = finetune_sentence_roles(
        str(checkpoint),
        tmp_path / "r",
        train=synthetic_abstracts(40),
        max_train_sentences=None,
        epochs=3,
        batch_size=20,
        max_steps=4,
        precision="fp32",
        calibrate=False,
    )
    assert summary.steps == 4


def test_the_seed_fixes_a_run_even_after_other_work_in_the_process(
    checkpoint: Path, tmp_path: Path
) -> None:
    def run(out: Path) -> object:
        return finetune_sentence_roles(
            str(checkpoint), out, train=synthetic_abstracts(8), max_train_sentences=None,
            batch_size=20, max_steps=2, precision="fp32", calibrate=False, seed=3,
        )  # fmt: skip

    assert runs_repeat_after_random_state_moves(run, tmp_path)  # the new head included


def test_a_folder_that_is_not_a_role_classifier_is_refused(checkpoint: Path) -> None:
    with pytest.raises(InputError, match="sentence-role classifier"):
        SentenceRoleClassifier.load(checkpoint)
    with pytest.raises(InputError, match="not a model folder"):
        evaluate_sentence_roles("/no/such/folder", sentences=synthetic_abstracts(1))
    with pytest.raises(InputError, match="no sentences"):
        abstract_sentences([])


def test_tfidf_baseline_uses_position_and_must_be_fitted() -> None:
    with pytest.raises(NotFittedError):
        TfidfRoleBaseline().predict(synthetic_abstracts(1))
    # SYNTHETIC: identical text everywhere, so only the position features can tell roles apart.
    same = [s.model_copy(update={"text": "same words", "previous": "", "next": ""})
            for s in synthetic_abstracts(30)]  # fmt: skip
    test = [s.model_copy(update={"text": "same words", "previous": "", "next": ""})
            for s in synthetic_abstracts(5, "test")]  # fmt: skip
    metrics = evaluate_sentence_roles("tfidf", sentences=test, train=same)
    assert metrics.macro_f1 == 1.0 and metrics.model == "tfidf"


_needs_onnx = pytest.mark.skipif(
    importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None,
    reason="onnx and onnxruntime are not installed (pip install 'medlm[export]')",
)
_BIAS = [0.0, 0.5, 0.0, 0.0, -0.25]


def _calibrated_role_checkpoint(tmp_path: Path) -> Path:
    """A tiny untrained role classifier with transitions and validation biases beside it."""
    from medlm.lm.checkpoint import save_checkpoint
    from medlm.lm.config import TransformerConfig
    from medlm.lm.models import SequenceClassifier
    from medlm.training.role_calibration import RoleCalibration
    from medlm.training.role_sequence import RoleTransitions

    torch.manual_seed(3)
    _, tokenizer = load_checkpoint(tiny_encoder_checkpoint(tmp_path / "enc"))
    assert tokenizer is not None
    config = TransformerConfig(
        vocab_size=tokenizer.vocab_size, d_model=32, n_heads=4, n_layers=2, d_ff=64
    )
    folder = save_checkpoint(
        tmp_path / "roles", SequenceClassifier(config, num_labels=len(ROLES)), tokenizer
    )
    RoleTransitions.count(synthetic_abstracts(3)).save(folder)
    RoleCalibration(
        bias=_BIAS,
        transition_weight=0.0,
        validation_macro_f1=0.5,
        validation_macro_f1_uncalibrated=0.4,
    ).save(folder)
    return folder


@_needs_onnx
def test_a_role_classifier_exports_with_its_decision_files(tmp_path: Path) -> None:
    torch_roles = SentenceRoleClassifier.load(_calibrated_role_checkpoint(tmp_path))
    out = torch_roles.export_onnx(tmp_path / "onnx")
    onnx_roles = SentenceRoleClassifier.load(out)
    assert onnx_roles.calibration == torch_roles.calibration
    assert onnx_roles.transitions == torch_roles.transitions
    sentences = synthetic_abstracts(2, "test")
    assert [p.role for p in onnx_roles.predict(sentences)] == [
        p.role for p in torch_roles.predict(sentences)
    ]
    with pytest.raises(InputError, match="torch"):
        onnx_roles.export_onnx(tmp_path / "again")


@_needs_onnx
def test_an_exported_role_classifier_decides_like_its_checkpoint(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from medlm.cli.lm_export import export

    folder = _calibrated_role_checkpoint(tmp_path)
    bias = _BIAS
    app = typer.Typer()
    app.command()(export)
    app.command("other")(lambda: None)
    args = ["export", "--model", str(folder), "--out", str(tmp_path / "onnx"), "--int8", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output

    sentences = synthetic_abstracts(3, "test")
    torch_roles = SentenceRoleClassifier.load(folder)
    onnx_roles = SentenceRoleClassifier.load(tmp_path / "onnx")
    int8_roles = SentenceRoleClassifier.load(tmp_path / "onnx-int8")
    expected = torch_roles.probabilities(sentences)
    # The inputs carry a context segment, so parity shows the segment ids reach the graph.
    torch.testing.assert_close(onnx_roles.probabilities(sentences), expected, atol=1e-4, rtol=0)
    assert onnx_roles.calibration is not None and onnx_roles.calibration.bias == bias
    assert int8_roles.calibration is not None and int8_roles.transitions is not None
    assert [p.role for p in onnx_roles.predict(sentences)] == [
        p.role for p in torch_roles.predict(sentences)
    ]
    assert (int8_roles.probabilities(sentences) - expected).abs().max() < 0.1
