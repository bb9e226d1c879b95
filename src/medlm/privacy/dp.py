"""Differentially private fine-tuning with Opacus: per-sample gradient clipping and Gaussian
noise (DP-SGD), reporting the epsilon spent at a given delta."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from importlib import import_module

import torch
from pydantic import BaseModel, Field
from torch import nn
from torch.utils.data import DataLoader

from medlm.errors import DataPackageMissingError

logger = logging.getLogger(__name__)


class DPConfig(BaseModel):
    """DP-SGD parameters: `noise_multiplier` is sigma relative to `max_grad_norm` (the per-sample
    clipping bound C); `delta` should be below 1 / number of training records."""

    noise_multiplier: float = Field(default=1.0, gt=0)
    max_grad_norm: float = Field(default=1.0, gt=0)
    delta: float = Field(default=1e-5, gt=0, lt=1)
    epochs: int = Field(default=1, ge=1)
    lr: float = Field(default=1e-3, gt=0)


class DPResult(BaseModel):
    """What private training spent: epsilon at delta, after `steps` optimizer steps."""

    epsilon: float
    delta: float
    steps: int
    final_loss: float


def train_private(
    model: nn.Module,
    loader: DataLoader[tuple[torch.Tensor, ...]],
    loss_fn: Callable[[nn.Module, tuple[torch.Tensor, ...]], torch.Tensor],
    config: DPConfig,
) -> DPResult:
    """Train `model` in place with DP-SGD (Poisson sampling, RDP accountant).

    `loss_fn(model, batch)` returns the mean loss of a batch. The model must only contain layers
    Opacus can compute per-sample gradients for (Linear, Embedding, LayerNorm, Conv, ...).
    """
    try:
        opacus = import_module("opacus")
    except ImportError as exc:
        raise DataPackageMissingError("opacus", "differentially private training") from exc
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
    engine = opacus.PrivacyEngine(accountant="rdp")
    private_model, private_optimizer, private_loader = engine.make_private(
        module=model,
        optimizer=optimizer,
        data_loader=loader,
        noise_multiplier=config.noise_multiplier,
        max_grad_norm=config.max_grad_norm,
        poisson_sampling=True,
    )
    steps = 0
    loss = torch.tensor(float("nan"))
    for _ in range(config.epochs):
        for batch in private_loader:
            if batch[0].shape[0] == 0:  # Poisson sampling can draw an empty batch
                continue
            private_optimizer.zero_grad()
            loss = loss_fn(private_model, batch)
            with warnings.catch_warnings():
                # Opacus' hooks fire on the first layer, whose inputs need no gradient (data).
                warnings.filterwarnings("ignore", message="Full backward hook is firing")
                loss.backward()
            private_optimizer.step()
            steps += 1
    epsilon = float(engine.get_epsilon(config.delta))
    logger.info(
        "private training: %d steps, epsilon %.3f at delta %g", steps, epsilon, config.delta
    )
    return DPResult(
        epsilon=epsilon, delta=config.delta, steps=steps, final_loss=float(loss.detach())
    )
