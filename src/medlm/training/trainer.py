"""The Trainer: one loop for pretraining and fine-tuning, single-process or distributed.

AdamW (fused) with warm-up and decay, gradient accumulation, gradient clipping, bf16 autocast
(`precision="auto"` uses it where the hardware supports it, see `acceleration`), optional
`torch.compile` with an eager fallback, seeded determinism, validation each epoch, early
stopping on a monitored value, `best/` and `last/` checkpoints, exact resume from `last/`,
and callbacks.

Determinism and resume: example order, masking randomness and dropout are all seeded from
(seed, epoch, step), and `last/` holds the optimizer and schedule state after each epoch, so
a run stopped after epoch k and resumed from `last/` reaches the same weights as a run that
never stopped. In a distributed run each process computes its share of the same global
batch and DDP averages the gradients; this equals a single-process step on the whole global
batch when every micro-batch has the same number of loss-bearing tokens.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import torch
import torch.distributed as dist
from torch import Tensor
from torch.nn.parallel import DistributedDataParallel

from medlm.errors import ConfigError
from medlm.lm.checkpoint import save_checkpoint
from medlm.lm.models import Batch, LanguageModel, ModelOutput
from medlm.lm.tokenizer import Tokenizer
from medlm.training import batching, distributed
from medlm.training.acceleration import CompiledForward, Precision, autocast, resolve_precision
from medlm.training.acceleration import bf16_supported as bf16_supported
from medlm.training.callbacks import Callback, EpochRecord, LogEpochs
from medlm.training.config import TrainingSettings
from medlm.training.optim import build_optimizer, build_schedule
from medlm.training.state import TrainState, load_state

logger = logging.getLogger(__name__)

Objective = Callable[[Sequence[batching.Example], torch.Generator], Batch]
Metrics = Callable[[LanguageModel], dict[str, float]]


@dataclass
class TrainingResult:
    history: list[EpochRecord] = field(default_factory=list)
    best_checkpoint: Path | None = None
    last_checkpoint: Path | None = None
    stopped_early: bool = False


class Trainer:
    """Fit a medlm model on examples with an objective; see the module docstring."""

    def __init__(
        self,
        settings: TrainingSettings,
        objective: Objective,
        *,
        output_dir: Path | None = None,
        callbacks: Sequence[Callback] = (),
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.objective = objective
        self.output_dir = output_dir
        self.callbacks = [LogEpochs(), *callbacks]
        self.metrics = metrics
        self.should_stop = False
        self.global_step = 0
        self.precision_used: Precision | None = None  # resolved by fit
        self.compiled_used: bool | None = None  # whether torch.compile ran to the end of fit

    def fit(
        self,
        model: LanguageModel,
        train: Sequence[batching.Example],
        val: Sequence[batching.Example] = (),
        *,
        tokenizer: Tokenizer | None = None,
        resume_from: Path | None = None,
    ) -> TrainingResult:
        """Train `model` in place; returns the history and the checkpoint folders written."""
        s = self.settings
        info = distributed.process_info()
        device = distributed.resolve_device(s.device, info)
        distributed.join(info, device)
        micro = batching.micro_batch_size(s.batch_size, info.world_size, s.gradient_accumulation)
        steps = batching.steps_per_epoch(len(train), s.batch_size)
        logger.info("training %d steps/epoch, micro-batch %d on %s", steps, micro, device)
        self.precision_used = resolve_precision(s.precision, device)
        logger.info("precision %s (requested %s)", self.precision_used, s.precision)
        model.to(device)
        wrapped = distributed.wrap(model, info, device)
        forward = CompiledForward(wrapped, s.compile)
        optimizer = build_optimizer(model, s)
        schedule = build_schedule(optimizer, s, steps * s.epochs)
        state = TrainState()
        if resume_from is not None:
            state = load_state(resume_from, model, optimizer, schedule, device)
        result = TrainingResult(history=state.history)
        self.global_step, self.should_stop = state.epoch * steps, False
        for callback in self.callbacks:
            callback.on_train_start(self, steps * s.epochs)
        for epoch in range(state.epoch, s.epochs):
            started = time.perf_counter()
            train_loss = self._train_epoch(
                wrapped, forward, optimizer, schedule, train, epoch, steps, info, device
            )
            record = EpochRecord(
                epoch=epoch,
                train_loss=train_loss,
                val_loss=self.evaluate(model, val, device) if val else None,
                metrics=self.metrics(model) if self.metrics else {},
                learning_rate=float(schedule.get_last_lr()[0]),
                seconds=time.perf_counter() - started,
            )
            improved = state.update(record, s)
            state.epoch = epoch + 1
            if self.output_dir is not None and info.is_main:
                self._save(result, state, model, tokenizer, (optimizer, schedule), improved)
            distributed.barrier(info)
            self._end_epoch(record, state, result)
            if self.should_stop:
                break
        self.compiled_used = forward.active
        for callback in self.callbacks:
            callback.on_train_end(self)
        model.eval()
        return result

    def _end_epoch(self, record: EpochRecord, state: TrainState, result: TrainingResult) -> None:
        for callback in self.callbacks:
            callback.on_epoch_end(self, record)
        patience = self.settings.early_stopping_patience
        if patience and state.epochs_since_best >= patience:
            logger.info(
                "early stop: %s did not improve for %d epochs",
                self.settings.monitor,
                state.epochs_since_best,
            )
            result.stopped_early = self.should_stop = True

    def _train_epoch(
        self,
        wrapped: torch.nn.Module,
        forward: CompiledForward,
        optimizer: torch.optim.Optimizer,
        schedule: Any,
        train: Sequence[batching.Example],
        epoch: int,
        steps: int,
        info: distributed.ProcessInfo,
        device: torch.device,
    ) -> float:
        s = self.settings
        wrapped.train()
        torch.manual_seed(s.seed * 1_000 + epoch)  # dropout
        order = batching.epoch_order(len(train), s.seed, epoch)
        total, done = 0.0, 0
        for step in range(steps):
            chunks = list(
                batching.local_micro_batches(
                    order, step, s.batch_size, info.rank, info.world_size, s.gradient_accumulation
                )
            )
            step_loss = 0.0
            for i, chunk in enumerate(chunks):
                seed = _step_seed(s.seed, epoch, step, i, info.rank)
                batch = self.objective(
                    [train[j] for j in chunk], torch.Generator().manual_seed(seed)
                )
                # In a distributed run, gradients are averaged across processes only after the
                # last micro-batch of the step.
                last = i == len(chunks) - 1
                sync = (
                    contextlib.nullcontext() if last or not info.distributed else _no_sync(wrapped)
                )
                with sync:
                    with self._autocast(device):
                        loss = _loss(forward(batch.to(device))) / len(chunks)
                    loss.backward()
                step_loss += float(loss.detach())
            if s.max_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(wrapped.parameters(), s.max_grad_norm)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            self.global_step += 1
            total, done = total + step_loss, done + 1
            for callback in self.callbacks:
                callback.on_step_end(self, self.global_step, step_loss)
            if self.should_stop:  # a callback's budget ends the epoch early
                break
        mean = torch.tensor(total / done)
        if info.distributed:
            dist.all_reduce(mean)
            mean /= info.world_size
        return float(mean)

    def _autocast(self, device: torch.device) -> contextlib.AbstractContextManager[Any]:
        precision = self.precision_used or resolve_precision(self.settings.precision, device)
        return autocast(precision, device)

    @torch.no_grad()
    def evaluate(
        self, model: LanguageModel, examples: Sequence[batching.Example], device: torch.device
    ) -> float:
        """Mean loss over `examples` (weighted by batch size), with fixed-seed objectives."""
        model.eval()
        size = self.settings.eval_batch_size
        total, count = 0.0, 0
        for start in range(0, len(examples), size):
            chunk = examples[start : start + size]
            generator = torch.Generator().manual_seed(self.settings.seed + start)
            batch = self.objective(chunk, generator).to(device)
            with self._autocast(device):
                total += float(_loss(model(batch))) * len(chunk)
            count += len(chunk)
        model.train()
        return total / max(count, 1)

    def _save(
        self,
        result: TrainingResult,
        state: TrainState,
        model: LanguageModel,
        tokenizer: Tokenizer | None,
        optim: tuple[torch.optim.Optimizer, Any],
        improved: bool,
    ) -> None:
        assert self.output_dir is not None
        settings = {**self.settings.model_dump(mode="json"), "precision_used": self.precision_used}
        last = save_checkpoint(self.output_dir / "last", model, tokenizer, settings)
        state.save(last, *optim)
        result.last_checkpoint = last
        if improved:
            result.best_checkpoint = save_checkpoint(
                self.output_dir / "best", model, tokenizer, settings
            )
        elif (self.output_dir / "best").is_dir():
            result.best_checkpoint = self.output_dir / "best"


def _loss(output: ModelOutput) -> Tensor:
    if output.loss is None:
        raise ConfigError("the objective's batches carry no labels, so the model gave no loss")
    return output.loss


def _step_seed(*parts: int) -> int:
    """A seed that differs for every (seed, epoch, step, micro-batch, rank)."""
    value = 0
    for part in parts:
        value = (value * 1_000_003 + part) % (2**31 - 1)
    return value


def _no_sync(wrapped: torch.nn.Module) -> contextlib.AbstractContextManager[Any]:
    """DDP's context that defers the gradient all-reduce."""
    return cast(DistributedDataParallel, wrapped).no_sync()
