"""AdamW groups and the warm-up/decay schedule."""

from __future__ import annotations

import pytest
import torch

from medlm.training.config import TrainingSettings
from medlm.training.optim import build_optimizer, build_schedule


def _factors(settings: TrainingSettings, total: int) -> list[float]:
    optimizer = build_optimizer(torch.nn.Linear(2, 2), settings)
    schedule = build_schedule(optimizer, settings, total)
    factors = []
    for _ in range(total):
        factors.append(schedule.get_last_lr()[0] / settings.learning_rate)
        optimizer.step()
        schedule.step()
    return factors


def test_linear_schedule_warms_up_then_decays_to_zero() -> None:
    factors = _factors(TrainingSettings(learning_rate=1.0, warmup_steps=3), total=8)
    assert factors[:4] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert factors[4:] == pytest.approx([0.8, 0.6, 0.4, 0.2])


def test_cosine_schedule_is_half_way_at_the_middle() -> None:
    factors = _factors(TrainingSettings(learning_rate=1.0, schedule="cosine"), total=4)
    assert factors[0] == pytest.approx(1.0) and factors[2] == pytest.approx(0.5)


def test_biases_get_no_weight_decay() -> None:
    optimizer = build_optimizer(torch.nn.Linear(2, 2), TrainingSettings(weight_decay=0.1))
    decayed, plain = optimizer.param_groups
    assert decayed["weight_decay"] == 0.1 and [p.ndim for p in decayed["params"]] == [2]
    assert plain["weight_decay"] == 0.0 and [p.ndim for p in plain["params"]] == [1]
