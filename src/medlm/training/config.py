"""Training settings: one validated record saved with every checkpoint."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TrainingSettings(BaseModel):
    """How the Trainer runs.

    `batch_size` is the global batch of one optimizer step (all processes and all
    gradient-accumulation micro-batches together). `monitor` names the epoch value that picks
    the best checkpoint and drives early stopping: "train_loss", "val_loss" or a key returned
    by the Trainer's `metrics` function; without validation examples "val_loss" falls back to
    the training loss. `precision="bf16"` runs forward passes under bf16 autocast (weights and
    optimizer stay fp32) and is refused where bf16 is not supported; `"auto"` uses bf16 where it
    is supported and fp32 elsewhere (checkpoints record which ran as `precision_used`).
    `fused_optimizer` uses AdamW's fused kernel (one pass over all parameters) instead of the
    multi-tensor one. `compile` runs the model through `torch.compile`, falling back to eager
    execution where compilation fails; it is off by default because on the CPUs measured it
    did not speed training up (docs/benchmarks.md, "Language model").
    """

    model_config = ConfigDict(extra="forbid")

    epochs: int = Field(default=3, ge=1)
    batch_size: int = Field(default=32, ge=1)
    gradient_accumulation: int = Field(default=1, ge=1)
    learning_rate: float = Field(default=5e-4, gt=0)
    weight_decay: float = Field(default=0.01, ge=0)
    warmup_steps: int = Field(default=0, ge=0)
    schedule: Literal["linear", "cosine", "constant"] = "linear"
    max_grad_norm: float | None = Field(default=1.0, gt=0)
    precision: Literal["auto", "fp32", "bf16"] = "fp32"
    fused_optimizer: bool = True
    compile: bool = False
    seed: int = 0
    early_stopping_patience: int | None = Field(default=None, ge=1)
    monitor: str = "val_loss"
    monitor_mode: Literal["min", "max"] = "min"
    eval_batch_size: int = Field(default=64, ge=1)
    device: Literal["auto", "cpu", "cuda"] = "auto"
