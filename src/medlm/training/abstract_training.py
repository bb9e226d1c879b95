"""Training loop of the abstract-level contextual model, with early stopping on validation.

Batches are whole abstracts (`batch_abstracts` of them, shuffled by a seeded generator);
the loss is cross-entropy over every real sentence. AdamW with a linear warm-up (5% of the
steps) then linear decay. After each epoch the validation abstracts' macro-F1 (plain argmax)
is measured when validation inputs are given; the best epoch's weights are kept and training
stops after `patience` epochs without improvement. The model is small (about 0.4M weights),
so it trains in fp32: the encoder stage is where bf16 pays.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field

from medlm.datasets.medline_corpus import ROLES
from medlm.training.abstract_context import (
    AbstractContextModel,
    ContextConfig,
    ContextEnsemble,
    pad_abstracts,
)
from medlm.training.abstract_features import AbstractInputs

logger = logging.getLogger(__name__)


class ContextTraining(BaseModel):
    """Optimisation settings of the contextual model."""

    model_config = ConfigDict(frozen=True)

    epochs: int = Field(20, ge=1)
    learning_rate: float = Field(2e-3, gt=0)
    weight_decay: float = Field(0.01, ge=0)
    batch_abstracts: int = Field(16, ge=1)
    patience: int = Field(4, ge=1)
    seed: int = 0


def _batches(inputs: AbstractInputs, rows: list[int]) -> tuple[torch.Tensor, ...]:
    vectors = [torch.from_numpy(inputs.vectors[slice(*inputs.spans[r])]) for r in rows]
    features = [torch.from_numpy(inputs.features[slice(*inputs.spans[r])]) for r in rows]
    return pad_abstracts(vectors, features)


def _labels(inputs: AbstractInputs, rows: list[int], width: int) -> torch.Tensor:
    """(B, N) role ids, -100 on padding (ignored by the loss)."""
    out = torch.full((len(rows), width), -100, dtype=torch.long)
    for i, r in enumerate(rows):
        start, end = inputs.spans[r]
        ids = [ROLES.index(s.label) for s in inputs.sentences[start:end]]
        out[i, : end - start] = torch.tensor(ids)
    return out


def context_probabilities(
    model: AbstractContextModel | ContextEnsemble, inputs: AbstractInputs, batch_abstracts: int = 16
) -> np.ndarray:
    """(N, len(ROLES)) role probabilities of every sentence in `inputs`, in order."""
    out = np.zeros((len(inputs.sentences), len(ROLES)), dtype=np.float32)
    model.eval()
    with torch.inference_mode():
        for first in range(0, len(inputs.spans), batch_abstracts):
            rows = list(range(first, min(first + batch_abstracts, len(inputs.spans))))
            vectors, features, mask = _batches(inputs, rows)
            probs = model(vectors, features, mask).logits.float().softmax(dim=-1)  # (B, N, C)
            for i, r in enumerate(rows):
                start, end = inputs.spans[r]
                out[start:end] = probs[i, : end - start].numpy()
    return out


def validation_macro_f1(
    model: AbstractContextModel | ContextEnsemble, inputs: AbstractInputs
) -> float:
    from sklearn.metrics import f1_score

    predicted = context_probabilities(model, inputs).argmax(axis=1)
    gold = [ROLES.index(s.label) for s in inputs.sentences]
    labels = list(range(len(ROLES)))
    return float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0))


def train_context(
    config: ContextConfig,
    settings: ContextTraining,
    train: AbstractInputs,
    validation: AbstractInputs | None = None,
    on_epoch: Callable[[int, float], Any] | None = None,
) -> tuple[AbstractContextModel, list[dict[str, float]]]:
    """A trained contextual model (the best validation epoch's weights) and its history."""
    torch.manual_seed(settings.seed)
    model = AbstractContextModel(config)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    per_epoch = math.ceil(len(train.spans) / settings.batch_abstracts)
    total = per_epoch * settings.epochs
    warmup = max(1, total // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(total - warmup, 1))),
    )
    generator = torch.Generator().manual_seed(settings.seed)
    history: list[dict[str, float]] = []
    best_f1, best_state, since_best = -1.0, copy.deepcopy(model.state_dict()), 0
    for epoch in range(1, settings.epochs + 1):
        model.train()
        order = torch.randperm(len(train.spans), generator=generator).tolist()
        losses = []
        for first in range(0, len(order), settings.batch_abstracts):
            rows = order[first : first + settings.batch_abstracts]
            vectors, features, mask = _batches(train, rows)
            logits = model(vectors, features, mask).logits  # (B, N, C)
            labels = _labels(train, rows, logits.shape[1])  # (B, N)
            loss = F.cross_entropy(logits.reshape(-1, len(ROLES)), labels.reshape(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
        record = {"epoch": float(epoch), "train_loss": round(float(np.mean(losses)), 4)}
        if validation is not None:
            f1 = validation_macro_f1(model, validation)
            record["validation_macro_f1"] = round(f1, 4)
            if f1 > best_f1:
                best_f1, best_state, since_best = f1, copy.deepcopy(model.state_dict()), 0
            else:
                since_best += 1
        history.append(record)
        logger.info("context epoch %d: %s", epoch, record)
        if on_epoch is not None:
            on_epoch(epoch, record.get("validation_macro_f1", record["train_loss"]))
        if validation is not None and since_best >= settings.patience:
            break
    if validation is not None:
        model.load_state_dict(best_state)
    return model.eval(), history
