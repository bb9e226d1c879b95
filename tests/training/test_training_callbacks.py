"""Callbacks: the progress bar advances once per step; per-epoch lines carry both losses."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import torch
from training_helpers import PAD, synthetic_examples, tiny_config

from medlm.lm.models import CausalLanguageModel
from medlm.training.callbacks import EpochRecord, ProgressBar
from medlm.training.config import TrainingSettings
from medlm.training.objectives import CausalLM
from medlm.training.trainer import Trainer


def test_progress_bar_opens_once_and_advances_every_step() -> None:
    events: list[tuple[str, int]] = []

    @contextmanager
    def fake_progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
        events.append(("open", total))
        yield lambda n: events.append(("advance", n))
        events.append(("close", 0))

    torch.manual_seed(0)
    model = CausalLanguageModel(tiny_config(architecture="decoder"))
    settings = TrainingSettings(epochs=2, batch_size=4)
    Trainer(settings, CausalLM(PAD), callbacks=[ProgressBar(fake_progress)]).fit(
        model, synthetic_examples(8)
    )
    assert events[0] == ("open", 4) and events[-1] == ("close", 0)
    assert [n for kind, n in events if kind == "advance" and n == 1] == [1, 1, 1, 1]


def test_each_epoch_logs_one_line_with_train_and_validation_loss(
    caplog: pytest.LogCaptureFixture,
) -> None:
    torch.manual_seed(0)
    model = CausalLanguageModel(tiny_config(architecture="decoder"))
    with caplog.at_level(logging.INFO, logger="medlm.training.callbacks"):
        Trainer(TrainingSettings(epochs=2, batch_size=4), CausalLM(PAD)).fit(
            model, synthetic_examples(8), synthetic_examples(4, seed=1)
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "medlm.training.callbacks"]
    assert len(lines) == 2
    assert lines[1].startswith("epoch 2/2 train_loss=") and "val_loss=" in lines[1]


def test_epoch_record_value_reads_losses_and_metrics() -> None:
    record = EpochRecord(epoch=0, train_loss=2.0, val_loss=1.5, metrics={"auroc": 0.7})
    assert (record.value("train_loss"), record.value("val_loss"), record.value("auroc")) == (
        2.0,
        1.5,
        0.7,
    )
    assert record.value("missing") is None
