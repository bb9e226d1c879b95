"""Fine-tuning and evaluation on the sentence-role task (MEDLINE structured abstracts).

`finetune_sentence_roles` starts a `SequenceClassifier` from an encoder (the imported MiniLM,
or any medlm checkpoint folder, e.g. one adapted by `medlm lm pretrain`) and trains it on the
training abstracts' role sentences with the context layout of `sentence_roles`;
`evaluate_sentence_roles` (in `role_evaluation`, re-exported here) scores a saved model (or the
TF-IDF baseline) on the held-out test abstracts. Model selection never looks at the test split.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.errors import InputError
from medlm.lm.models import LanguageModel, SequenceClassifier
from medlm.lm.tokenizer import Tokenizer
from medlm.training.role_evaluation import RoleMetrics, evaluate_sentence_roles, role_metrics

__all__ = [
    "FinetuneSummary",
    "RoleMetrics",
    "calibrate_model",
    "evaluate_sentence_roles",
    "finetune_sentence_roles",
    "role_metrics",
    "save_metrics",
]

logger = logging.getLogger(__name__)


class FinetuneSummary(BaseModel):
    """What a fine-tuning run did: data sizes, steps, time and where the model is."""

    model_config = ConfigDict(frozen=True)

    init: str
    out: str
    train_sentences: int
    train_abstracts: int
    steps: int
    seconds: float
    final_train_loss: float


def _initial_encoder(init: str) -> tuple[LanguageModel, Tokenizer]:
    """The encoder to start from: a known model name (minilm) or a medlm checkpoint folder."""
    from medlm.lm.checkpoint import is_checkpoint, load_checkpoint
    from medlm.lm.pretrained import load_pretrained

    folder = Path(init)
    if folder.is_dir() and is_checkpoint(folder):
        model, tokenizer = load_checkpoint(folder)
        if tokenizer is None:
            raise InputError(f"--init {init}: checkpoint has no tokenizer")
        return model, tokenizer
    return load_pretrained(init)


def finetune_sentence_roles(
    init: str,
    out: Path,
    *,
    train: Sequence[RoleSentence] | None = None,
    max_train_sentences: int | None = 12_000,
    epochs: int = 1,
    batch_size: int = 32,
    learning_rate: float = 5e-5,
    warmup_steps: int = 50,
    time_budget_min: float | None = None,
    max_steps: int | None = None,
    precision: str = "bf16",
    seed: int = 0,
    callbacks: Sequence[Any] = (),
    validation: Sequence[RoleSentence] | None = None,
    calibrate: bool = True,
) -> FinetuneSummary:
    """Fine-tune a sentence-role classifier from `init` and save it (with tokenizer) to `out`."""
    from medlm.training.config import TrainingSettings
    from medlm.training.sentence_roles import (
        RoleBatches,
        RoleEncoder,
        load_role_sentences,
        stop_after,
        subsample,
    )
    from medlm.training.trainer import Trainer, bf16_supported

    started = time.perf_counter()
    encoder, tokenizer = _initial_encoder(init)
    sentences = list(train) if train is not None else load_role_sentences("train")
    sentences = subsample(sentences, max_train_sentences, seed)
    if not sentences:
        raise InputError("no training sentences for the sentence-role task")
    if isinstance(encoder, SequenceClassifier) and encoder.num_labels == len(ROLES):
        model = encoder  # continue fine-tuning a sentence-role classifier, head included
    else:
        torch.manual_seed(seed)  # the new head's initial weights, so that `seed` fixes the run
        model = SequenceClassifier.from_encoder(encoder, num_labels=len(ROLES))
    examples = RoleEncoder(tokenizer).examples(sentences)
    if precision == "bf16" and not bf16_supported(torch.device("cpu")):
        precision = "fp32"
    settings = TrainingSettings(
        epochs=epochs,
        batch_size=min(batch_size, len(examples)),
        learning_rate=learning_rate,
        warmup_steps=warmup_steps,
        precision=precision,
        seed=seed,
        device="cpu",
    )
    budget_s = time_budget_min * 60 if time_budget_min is not None else None
    trainer = Trainer(
        settings,
        RoleBatches(tokenizer.pad_id, tokenizer.token_id(tokenizer.specials.end)),
        callbacks=[stop_after(budget_s, max_steps), *callbacks],
    )
    result = trainer.fit(model, examples, tokenizer=tokenizer)
    from medlm.lm.checkpoint import save_checkpoint
    from medlm.training.role_sequence import RoleTransitions

    save_checkpoint(
        out,
        model,
        tokenizer,
        {"task": "sentence-roles", "init": init, **settings.model_dump()},
    )
    RoleTransitions.count(sentences).save(out)
    if calibrate:
        calibrate_model(out, validation)
    summary = FinetuneSummary(
        init=init,
        out=str(out),
        train_sentences=len(sentences),
        train_abstracts=len({s.pmid for s in sentences}),
        steps=trainer.global_step,
        seconds=round(time.perf_counter() - started, 1),
        final_train_loss=round(result.history[-1].train_loss, 4) if result.history else 0.0,
    )
    (out / "finetune_summary.json").write_text(summary.model_dump_json(indent=2))
    return summary


def calibrate_model(
    folder: Path,
    validation: Sequence[RoleSentence] | None = None,
    on_batch: Callable[[int], Any] | None = None,
) -> Any:
    """Choose and save a fine-tuned model's decision calibration on the validation split."""
    from medlm.training.role_calibration import calibrate
    from medlm.training.sentence_roles import SentenceRoleClassifier, load_role_sentences

    sentences = list(validation) if validation is not None else load_role_sentences("validation")
    classifier = SentenceRoleClassifier.load(folder)
    probs = classifier.probabilities(sentences, on_batch=on_batch).numpy()
    calibration = calibrate(sentences, probs, classifier.transitions)
    calibration.save(folder)
    return calibration


def save_metrics(metrics: RoleMetrics, path: Path) -> None:
    path.write_text(json.dumps(metrics.model_dump(), indent=2))
