"""What exact resume needs besides the weights: epoch, early-stopping state, optimizer, schedule."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_model

from medlm.errors import ConfigError
from medlm.lm.models import LanguageModel
from medlm.training.callbacks import EpochRecord
from medlm.training.config import TrainingSettings

STATE_FILE = "trainer_state.pt"


@dataclass
class TrainState:
    """Progress of a run: completed epochs, the best monitored value, the history."""

    epoch: int = 0
    best_value: float | None = None
    epochs_since_best: int = 0
    history: list[EpochRecord] = field(default_factory=list)

    def update(self, record: EpochRecord, s: TrainingSettings) -> bool:
        """Track the monitored value; True when this epoch is the best so far."""
        value = record.value(s.monitor)
        if value is None and s.monitor == "val_loss" and record.val_loss is None:
            value = record.train_loss  # no validation set: documented fallback
        if value is None:
            known = ["train_loss", "val_loss", *record.metrics]
            raise ConfigError(
                f"training.monitor={s.monitor!r} is not among the values of "
                f"epoch {record.epoch + 1}: {known}"
            )
        better = self.best_value is None or (
            value < self.best_value if s.monitor_mode == "min" else value > self.best_value
        )
        if better:
            self.best_value, self.epochs_since_best = value, 0
        else:
            self.epochs_since_best += 1
        self.history.append(record)
        return better

    def save(self, folder: Path, optimizer: torch.optim.Optimizer, schedule: Any) -> None:
        """Write the state into a checkpoint folder, beside the weights."""
        torch.save(self._to_dict(optimizer, schedule), folder / STATE_FILE)

    def _to_dict(self, optimizer: torch.optim.Optimizer, schedule: Any) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "best_value": self.best_value,
            "epochs_since_best": self.epochs_since_best,
            "history": [asdict(r) for r in self.history],
            "optimizer": optimizer.state_dict(),
            "schedule": schedule.state_dict(),
        }


def load_state(
    folder: Path,
    model: LanguageModel,
    optimizer: torch.optim.Optimizer,
    schedule: Any,
    device: torch.device,
) -> TrainState:
    load_model(model, str(folder / "model.safetensors"), device=str(device))
    saved = torch.load(folder / STATE_FILE, map_location=device, weights_only=True)
    optimizer.load_state_dict(saved["optimizer"])
    schedule.load_state_dict(saved["schedule"])
    history = [EpochRecord(**r) for r in saved["history"]]
    return TrainState(saved["epoch"], saved["best_value"], saved["epochs_since_best"], history)
