"""Differentially private training trains and reports the epsilon it spent."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from medlm.privacy.dp import DPConfig, train_private

pytest.importorskip("opacus")


def _data(n: int = 256) -> DataLoader[tuple[torch.Tensor, ...]]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 8, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    return DataLoader(TensorDataset(x, y), batch_size=32)


def _loss(model: nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    x, y = batch
    return nn.functional.cross_entropy(model(x), y)


def test_private_training_learns_and_reports_epsilon() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
    loader = _data()
    with torch.no_grad():
        before = float(_loss(model, next(iter(loader))).detach())
    result = train_private(model, loader, _loss, DPConfig(epochs=5, lr=0.5, noise_multiplier=0.8))
    assert result.steps > 20
    assert 0 < result.epsilon < 50 and result.delta == 1e-5
    assert result.final_loss < before


def test_more_noise_spends_less_epsilon() -> None:
    spent = []
    for sigma in (0.8, 2.0):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 2))
        spent.append(train_private(model, _data(), _loss, DPConfig(noise_multiplier=sigma)).epsilon)
    assert spent[1] < spent[0]
