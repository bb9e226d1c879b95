"""The optimizer and learning-rate schedule: AdamW, linear warm-up, then linear or cosine decay."""

from __future__ import annotations

import math
from dataclasses import dataclass

from torch import nn
from torch.optim import AdamW, Optimizer
from torch.optim.lr_scheduler import LambdaLR

from medlm.training.config import TrainingSettings


def build_optimizer(model: nn.Module, settings: TrainingSettings) -> AdamW:
    """AdamW; biases, layer-norm weights and other 1-D parameters get no weight decay."""
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for param in model.parameters():
        if param.requires_grad:
            (decay if param.ndim >= 2 else no_decay).append(param)
    groups = [
        {"params": decay, "weight_decay": settings.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    # The fused kernel updates all parameters in one pass (CPU and CUDA).
    return AdamW(groups, lr=settings.learning_rate, fused=True)


@dataclass
class StepPlan:
    """The optimizer steps a run will take; the schedule decays to 0 at `total`.

    A time budget shortens the plan once the step time is known (`fit_budget`), so a budgeted
    run still ends its decay when its time ends instead of stopping part-way down.
    """

    total: int

    def fit_budget(self, done: int, elapsed_s: float, step_s: float, budget_s: float) -> None:
        """Shorten the plan to the steps that fit in `budget_s` at `step_s` seconds per step,
        `done` steps and `elapsed_s` seconds in; it never grows."""
        affordable = done + int(max(0.0, budget_s - elapsed_s) / max(step_s, 1e-9))
        self.total = max(done, min(self.total, affordable))


def build_schedule(
    optimizer: Optimizer, settings: TrainingSettings, total_steps: int | StepPlan
) -> LambdaLR:
    """Multiplier rising linearly over `warmup_steps`, then decaying to 0 at the plan's total
    (read at every step, so a plan shortened during the run reshapes the rest of the decay)."""
    warmup = settings.warmup_steps
    plan = total_steps if isinstance(total_steps, StepPlan) else StepPlan(total_steps)

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        if settings.schedule == "constant":
            return 1.0
        progress = min(1.0, (step - warmup) / max(1, plan.total - warmup))
        if settings.schedule == "cosine":
            return 0.5 * (1.0 + math.cos(math.pi * progress))
        return 1.0 - progress

    return LambdaLR(optimizer, factor)
