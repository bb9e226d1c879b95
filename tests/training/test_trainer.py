"""The Trainer: losses fall, runs repeat, resume is exact, early stopping and checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import torch
from training_helpers import END, MASK, PAD, SENTINELS, SPECIALS, START, VOCAB, synthetic_examples
from training_helpers import tiny_config as config

from medlm.lm.checkpoint import load_checkpoint
from medlm.lm.models import (
    Batch,
    CausalLanguageModel,
    LanguageModel,
    MaskedLanguageModel,
    Seq2SeqLanguageModel,
    SequenceClassifier,
)
from medlm.training.batching import Example
from medlm.training.callbacks import Callback, EpochRecord, StopAfterEpochs
from medlm.training.config import TrainingSettings
from medlm.training.objectives import CausalLM, Classification, MaskedLM, SpanCorruption
from medlm.training.trainer import Objective, Trainer, bf16_supported

ONE_BATCH = TrainingSettings(epochs=30, batch_size=8, learning_rate=3e-3, schedule="constant")


def _model(kind: str) -> tuple[LanguageModel, Objective]:
    torch.manual_seed(0)
    if kind == "masked_lm":
        objective: Objective = MaskedLM(MASK, PAD, VOCAB, SPECIALS, probability=0.3)
        return MaskedLanguageModel(config()), objective
    if kind == "span_corruption":
        model = Seq2SeqLanguageModel(
            config(architecture="encoder-decoder", n_decoder_layers=2, norm_position="pre")
        )
        return model, SpanCorruption(SENTINELS, START, END, PAD)
    return CausalLanguageModel(config(architecture="decoder", norm_position="pre")), CausalLM(PAD)


def _one_fixed_batch(objective: Objective) -> Objective:
    """The same batch every step: examples in a fixed order, the same masks and spans."""

    def fixed(examples: Sequence[Example], generator: torch.Generator) -> Batch:
        ordered = sorted(examples, key=lambda e: e.input_ids)
        return objective(ordered, torch.Generator().manual_seed(0))

    return fixed


@pytest.mark.parametrize("kind", ["masked_lm", "span_corruption", "causal_lm"])
def test_loss_falls_when_overfitting_one_batch(kind: str) -> None:
    model, objective = _model(kind)
    trainer = Trainer(ONE_BATCH, _one_fixed_batch(objective))
    result = trainer.fit(model, synthetic_examples(8))
    first, last = result.history[0].train_loss, result.history[-1].train_loss
    assert last < 0.5 * first


def _weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in model.state_dict().items()}


SHORT = TrainingSettings(epochs=4, batch_size=4, learning_rate=1e-3, warmup_steps=2, seed=7)


def test_same_seed_gives_identical_weights() -> None:
    runs = []
    for _ in range(2):
        model, objective = _model("masked_lm")
        Trainer(SHORT, objective).fit(model, synthetic_examples(12))
        runs.append(_weights(model))
    assert all(torch.equal(runs[0][k], runs[1][k]) for k in runs[0])


def test_stopped_and_resumed_run_reaches_the_same_weights(tmp_path: Path) -> None:
    data, val = synthetic_examples(12), synthetic_examples(4, seed=1)
    model, objective = _model("masked_lm")
    Trainer(SHORT, objective).fit(model, data, val)
    uninterrupted = _weights(model)

    first, objective = _model("masked_lm")
    stopped = Trainer(SHORT, objective, output_dir=tmp_path, callbacks=[StopAfterEpochs(2)])
    assert len(stopped.fit(first, data, val).history) == 2
    resumed, objective = _model("masked_lm")
    torch.manual_seed(123)  # resuming must not depend on the global RNG state
    result = Trainer(SHORT, objective).fit(resumed, data, val, resume_from=tmp_path / "last")
    assert [r.epoch for r in result.history] == [0, 1, 2, 3]
    assert all(torch.equal(uninterrupted[k], v) for k, v in resumed.state_dict().items())


def test_gradient_accumulation_equals_one_large_batch() -> None:
    runs = []
    for accumulation in (1, 2):
        model, objective = _model("causal_lm")
        settings = SHORT.model_copy(update={"gradient_accumulation": accumulation})
        Trainer(settings, objective).fit(model, synthetic_examples(8))
        runs.append(_weights(model))
    for name, tensor in runs[0].items():
        torch.testing.assert_close(tensor, runs[1][name], atol=1e-5, rtol=1e-4)


def test_early_stopping_ends_training_and_keeps_the_best_checkpoint(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = SequenceClassifier(config(), num_labels=2)
    epochs: list[int] = []

    class Recorder(Callback):
        def on_epoch_end(self, trainer: object, record: EpochRecord) -> None:
            epochs.append(record.epoch)

    def score(m: LanguageModel) -> dict[str, float]:
        return {"score": 1.0}  # never improves after the first epoch

    settings = TrainingSettings(
        epochs=10, batch_size=4, early_stopping_patience=2, monitor="score", monitor_mode="max"
    )
    data = [Example(e.input_ids, i % 2) for i, e in enumerate(synthetic_examples(8))]
    trainer = Trainer(
        settings, Classification(PAD), output_dir=tmp_path, callbacks=[Recorder()], metrics=score
    )
    result = trainer.fit(model, data, data[:4])
    assert result.stopped_early and epochs == [0, 1, 2]
    assert result.best_checkpoint == tmp_path / "best"
    assert result.last_checkpoint == tmp_path / "last"
    assert result.history[0].val_loss is not None
    loaded, _ = load_checkpoint(tmp_path / "last")
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in loaded.state_dict().items())


def test_batch_size_that_does_not_split_over_accumulation_is_refused() -> None:
    from medlm.errors import ConfigError

    model, objective = _model("causal_lm")
    settings = TrainingSettings(batch_size=6, gradient_accumulation=4)
    with pytest.raises(ConfigError, match="batch_size=6 must be divisible"):
        Trainer(settings, objective).fit(model, synthetic_examples(12))


@pytest.mark.skipif(not bf16_supported(torch.device("cpu")), reason="CPU without bf16")
def test_bf16_autocast_training_reduces_the_loss() -> None:
    model, objective = _model("causal_lm")
    settings = ONE_BATCH.model_copy(update={"precision": "bf16", "epochs": 5})
    result = Trainer(settings, objective).fit(model, synthetic_examples(8))
    assert result.history[-1].train_loss < result.history[0].train_loss
    assert next(model.parameters()).dtype == torch.float32


def test_monitoring_an_unknown_metric_is_refused() -> None:
    from medlm.errors import ConfigError

    model, objective = _model("causal_lm")
    settings = TrainingSettings(epochs=1, batch_size=4, monitor="auroc")
    with pytest.raises(ConfigError, match="monitor='auroc' is not among"):
        Trainer(settings, objective).fit(model, synthetic_examples(8))
