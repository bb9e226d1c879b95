"""Training medlm's language models: batching, objectives, the Trainer, distributed helpers.

Public API:
    `TrainingSettings` (validated; saved with every checkpoint) and
    `Trainer(settings, objective, output_dir=..., callbacks=..., metrics=...)`, whose
    `fit(model, train, val, tokenizer=..., resume_from=...)` trains in place and returns a
    `TrainingResult` (history of `EpochRecord`s, best and last checkpoint folders).
    Examples are `Example(input_ids, label)`. Objectives turn examples into batches:
    `MaskedLM` (BERT 80/10/10), `SpanCorruption` (T5 sentinels), `CausalLM`, and
    `Classification` for fine-tuning. Callbacks: `Callback`, `ProgressBar`, `LogEpochs`,
    `StopAfterEpochs`. Run under `torchrun --nproc_per_node N` for distributed data parallel
    training (gloo on CPU, NCCL on GPU); nothing else changes.
"""

from medlm.training.batching import Example
from medlm.training.callbacks import Callback, EpochRecord, LogEpochs, ProgressBar, StopAfterEpochs
from medlm.training.config import TrainingSettings
from medlm.training.objectives import CausalLM, Classification, MaskedLM, SpanCorruption
from medlm.training.trainer import Trainer, TrainingResult

__all__ = [
    "Callback",
    "CausalLM",
    "Classification",
    "EpochRecord",
    "Example",
    "LogEpochs",
    "MaskedLM",
    "ProgressBar",
    "SpanCorruption",
    "StopAfterEpochs",
    "Trainer",
    "TrainingResult",
    "TrainingSettings",
]
