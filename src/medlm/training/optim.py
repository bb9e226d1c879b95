"""The optimizer and learning-rate schedule: AdamW, linear warm-up, then linear or cosine decay."""

from __future__ import annotations

import math

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
    # The fused kernel updates all parameters in one pass (CPU and CUDA); the alternative is
    # the multi-tensor ("foreach") implementation, kept for measuring the difference.
    if settings.fused_optimizer:
        return AdamW(groups, lr=settings.learning_rate, fused=True)
    return AdamW(groups, lr=settings.learning_rate, foreach=True)


def build_schedule(optimizer: Optimizer, settings: TrainingSettings, total_steps: int) -> LambdaLR:
    """Multiplier rising linearly over `warmup_steps`, then decaying to 0 at `total_steps`."""
    warmup = settings.warmup_steps

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        if settings.schedule == "constant":
            return 1.0
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        if settings.schedule == "cosine":
            return 0.5 * (1.0 + math.cos(math.pi * progress))
        return 1.0 - progress

    return LambdaLR(optimizer, factor)
