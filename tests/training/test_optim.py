"""AdamW groups and the warm-up/decay schedule."""

from __future__ import annotations

import pytest
import torch

from medlm.training.config import TrainingSettings
from medlm.training.optim import StepPlan, build_optimizer, build_schedule


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


def test_a_plan_fitted_to_a_budget_only_shrinks() -> None:
    plan = StepPlan(100)
    plan.fit_budget(done=10, elapsed_s=12.0, step_s=1.0, budget_s=40.0)
    assert plan.total == 38  # 10 done + 28 s left at 1 s per step
    plan.fit_budget(done=20, elapsed_s=22.0, step_s=0.1, budget_s=40.0)
    assert plan.total == 38  # faster steps never lengthen the plan
    plan.fit_budget(done=30, elapsed_s=50.0, step_s=1.0, budget_s=40.0)
    assert plan.total == 30  # over budget: stop where it is


def test_the_schedule_follows_a_plan_shortened_during_the_run() -> None:
    settings = TrainingSettings(learning_rate=1.0)
    optimizer = build_optimizer(torch.nn.Linear(2, 2), settings)
    plan = StepPlan(100)
    schedule = build_schedule(optimizer, settings, plan)
    for _ in range(5):
        optimizer.step()
        schedule.step()
    assert schedule.get_last_lr()[0] == pytest.approx(0.95)
    plan.total = 10
    optimizer.step()
    schedule.step()
    assert schedule.get_last_lr()[0] == pytest.approx(0.4)  # step 6 of 10
