"""Trainer callbacks: hooks called at the start, after each step and epoch, and at the end."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass
class EpochRecord:
    """One line of the training history."""

    epoch: int
    train_loss: float
    val_loss: float | None
    metrics: dict[str, float] = field(default_factory=dict)
    learning_rate: float = 0.0
    seconds: float = 0.0

    def value(self, name: str) -> float | None:
        if name == "train_loss":
            return self.train_loss
        if name == "val_loss":
            return self.val_loss
        return self.metrics.get(name)

    def line(self, epochs: int) -> str:
        parts = [f"epoch {self.epoch + 1}/{epochs}", f"train_loss={self.train_loss:.4f}"]
        if self.val_loss is not None:
            parts.append(f"val_loss={self.val_loss:.4f}")
        parts += [f"{k}={v:.4f}" for k, v in self.metrics.items()]
        parts.append(f"lr={self.learning_rate:.2e}")
        return " ".join(parts)


class Callback:
    """Base class: override the hooks you need. `trainer.should_stop = True` ends training."""

    def on_train_start(self, trainer: Any, total_steps: int) -> None:
        """Called once before the first step (also when resuming)."""

    def on_step_end(self, trainer: Any, step: int, loss: float) -> None:
        """Called after each optimizer step with the global step and its training loss."""

    def on_epoch_end(self, trainer: Any, record: EpochRecord) -> None:
        """Called after each epoch's validation."""

    def on_train_end(self, trainer: Any) -> None:
        """Called once when training stops."""


class LogEpochs(Callback):
    """Log one INFO line per epoch with the train and validation loss."""

    def on_epoch_end(self, trainer: Any, record: EpochRecord) -> None:
        logger.info(record.line(trainer.settings.epochs))


ProgressFactory = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]


class ProgressBar(Callback):
    """Advance a progress bar per step; the CLI passes `medlm.cli.render.progress`."""

    def __init__(self, progress: ProgressFactory, description: str = "training") -> None:
        self._factory = progress
        self._description = description
        self._context: AbstractContextManager[Callable[[int], None]] | None = None
        self._advance: Callable[[int], None] | None = None

    def on_train_start(self, trainer: Any, total_steps: int) -> None:
        self._context = self._factory(self._description, total_steps)
        self._advance = self._context.__enter__()
        self._advance(trainer.global_step)

    def on_step_end(self, trainer: Any, step: int, loss: float) -> None:
        if self._advance is not None:
            self._advance(1)

    def on_train_end(self, trainer: Any) -> None:
        if self._context is not None:
            self._context.__exit__(None, None, None)
            self._context = None


class StopAfterEpochs(Callback):
    """Stop training after `epochs` epochs (e.g. to split a run and resume it later)."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def on_epoch_end(self, trainer: Any, record: EpochRecord) -> None:
        if record.epoch + 1 >= self.epochs:
            trainer.should_stop = True
