"""Domain-adaptive pretraining on MEDLINE abstracts, with held-out loss before and after.

Three starting points:

- `init="minilm"`: continue masked-LM training of the imported all-MiniLM-L6-v2. Its packaged
  weights carry no masked-LM head (they are a sentence-embedding model), so the run first fits
  a fresh head on the frozen encoder (`head_steps`) and reports that as "before": the
  general-domain encoder with a fitted head. It then trains everything and reports "after".
- `init="scratch"`: a small encoder (and its own WordPiece tokenizer trained on the training
  abstracts) pretrained from random weights with masked LM; "before" is the untrained model.
- `init="scratch", architecture="encoder-decoder"`: the same with T5-style span corruption
  and a byte-level BPE tokenizer with sentinels.

Examples are the first `max_length` tokens of each training abstract (title + abstract).
The held-out figures come from the first `eval_documents` test abstracts with a fixed masking
seed, so "before" and "after" see exactly the same masked positions. Splits are by PMID.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, ConfigDict

from medlm.errors import InputError
from medlm.lm.config import TransformerConfig
from medlm.lm.models import LanguageModel, MaskedLanguageModel, Seq2SeqLanguageModel
from medlm.lm.tokenizer import Tokenizer
from medlm.training.batching import Example

logger = logging.getLogger(__name__)

Init = Literal["minilm", "scratch"]
Arch = Literal["encoder", "encoder-decoder"]


class HeldOutLoss(BaseModel):
    model_config = ConfigDict(frozen=True)

    loss: float
    perplexity: float
    tokens: int


class PretrainSummary(BaseModel):
    """What a pretraining run did and the held-out loss before and after it."""

    model_config = ConfigDict(frozen=True)

    init: str
    architecture: str
    objective: str
    out: str
    train_documents: int
    steps: int
    tokens_seen: int
    seconds: float
    tokens_per_second: float
    before: HeldOutLoss
    after: HeldOutLoss


def corpus_texts(limit: int | None = None) -> dict[str, list[str]]:
    """Title + abstract texts of the packaged MEDLINE files by split (one parse of the files)."""
    from medlm.datasets.medline import iter_citations
    from medlm.datasets.medline_corpus import corpus_documents

    texts: dict[str, list[str]] = {"train": [], "validation": [], "test": []}
    for document in corpus_documents(iter_citations()):
        texts[document.split].append(document.text)
    if limit is not None:
        texts["train"] = texts["train"][:limit]
    return texts


def scratch_config(
    vocab_size: int, architecture: Arch, max_length: int, **overrides: Any
) -> TransformerConfig:
    """The small from-scratch model: width 256, 4 layers (and 2 decoder layers), 4 heads."""
    values: dict[str, Any] = dict(
        vocab_size=vocab_size,
        d_model=256,
        n_heads=4,
        n_layers=4,
        n_decoder_layers=2 if architecture == "encoder-decoder" else 0,
        d_ff=1024,
        max_length=max(max_length, 128),
        architecture=architecture,
        norm_position="pre" if architecture == "encoder-decoder" else "post",
    )
    return TransformerConfig(**{**values, **overrides})


def _objective(model: LanguageModel, tokenizer: Tokenizer) -> Any:
    from medlm.training.objectives import MaskedLM, SpanCorruption

    if isinstance(model, Seq2SeqLanguageModel):
        return SpanCorruption(
            sentinel_ids=tuple(tokenizer.sentinel_ids),
            start_id=tokenizer.token_id(tokenizer.specials.start),
            end_id=tokenizer.token_id(tokenizer.specials.end),
            pad_id=tokenizer.pad_id,
        )
    return MaskedLM(
        mask_id=tokenizer.mask_id,
        pad_id=tokenizer.pad_id,
        vocab_size=tokenizer.vocab_size,
        special_ids=tuple(tokenizer.special_ids),
    )


def held_out_loss(
    model: LanguageModel, tokenizer: Tokenizer, examples: Sequence[Example], batch_size: int = 32
) -> HeldOutLoss:
    """Token-weighted mean loss on `examples` with fixed masking seeds (one per batch)."""
    objective = _objective(model, tokenizer)
    model.eval()
    total, tokens = 0.0, 0
    with torch.inference_mode():
        for i in range(0, len(examples), batch_size):
            batch = objective(examples[i : i + batch_size], torch.Generator().manual_seed(i))
            n = int((batch.labels != -100).sum()) if batch.labels is not None else 0
            loss = model(batch).loss
            if loss is not None and n:
                total += float(loss) * n
                tokens += n
    mean = total / max(tokens, 1)
    return HeldOutLoss(loss=round(mean, 4), perplexity=round(math.exp(mean), 2), tokens=tokens)


def _start(
    init: Init,
    architecture: Arch,
    train_texts: Sequence[str],
    max_length: int,
    overrides: dict[str, Any],
) -> tuple[LanguageModel, Tokenizer]:
    from medlm.lm.tokenizer import train_byte_bpe, train_wordpiece

    if init == "minilm":
        if architecture != "encoder":
            raise InputError("--init minilm continues an encoder; use --arch encoder")
        from medlm.lm.pretrained import load_pretrained

        encoder, tokenizer = load_pretrained("minilm")
        return MaskedLanguageModel.from_encoder(encoder), tokenizer
    if architecture == "encoder-decoder":
        tokenizer = train_byte_bpe(train_texts, vocab_size=8_000, n_sentinels=32)
        config = scratch_config(tokenizer.vocab_size, architecture, max_length, **overrides)
        return Seq2SeqLanguageModel(config), tokenizer
    tokenizer = train_wordpiece(train_texts, vocab_size=8_000)
    config = scratch_config(tokenizer.vocab_size, architecture, max_length, **overrides)
    return MaskedLanguageModel(config), tokenizer


def pretrain_medline(
    init: Init,
    out: Path,
    *,
    architecture: Arch = "encoder",
    max_steps: int | None = None,
    time_budget_min: float | None = None,
    max_length: int = 128,
    batch_size: int = 16,
    learning_rate: float | None = None,
    head_steps: int = 100,
    max_train_documents: int | None = None,
    eval_documents: int = 256,
    precision: str = "bf16",
    seed: int = 0,
    scratch_overrides: dict[str, Any] | None = None,
) -> PretrainSummary:
    """Pretrain (or continue pretraining) on the training abstracts; save the model to `out`."""
    from medlm.lm.checkpoint import save_checkpoint
    from medlm.training.config import TrainingSettings
    from medlm.training.sentence_roles import stop_after
    from medlm.training.trainer import Trainer, bf16_supported

    if max_steps is None and time_budget_min is None:
        raise InputError("give --max-steps or --time-budget for pretraining")
    started = time.perf_counter()
    texts = corpus_texts(max_train_documents)
    train_texts = texts["train"]
    torch.manual_seed(seed)  # new weights (the whole model from scratch, or MiniLM's MLM head)
    model, tokenizer = _start(init, architecture, train_texts, max_length, scratch_overrides or {})
    limit = min(max_length, tokenizer.max_length)
    train = [Example(ids) for ids in tokenizer.encode(train_texts, max_length=limit)]
    test = [Example(ids) for ids in tokenizer.encode(texts["test"][:eval_documents], limit)]
    train = [e for e in train if len(e.input_ids) > 4]
    if precision == "bf16" and not bf16_supported(torch.device("cpu")):
        precision = "fp32"
    lr = learning_rate or (5e-5 if init == "minilm" else 5e-4)

    def run(steps: int | None, budget_s: float | None, rate: float) -> Trainer:
        planned = steps or len(train) // batch_size
        settings = TrainingSettings(
            epochs=max(1, math.ceil(planned * batch_size / len(train))),
            batch_size=batch_size,
            learning_rate=rate,
            warmup_steps=min(100, planned // 10),
            precision=precision,
            seed=seed,
            device="cpu",
        )
        trainer = Trainer(
            settings, _objective(model, tokenizer), callbacks=[stop_after(budget_s, steps)]
        )
        trainer.fit(model, train)
        return trainer

    if init == "minilm" and head_steps:
        for p in model.transformer.parameters():
            p.requires_grad_(False)
        run(head_steps, None, 1e-3)
        for p in model.transformer.parameters():
            p.requires_grad_(True)
    before = held_out_loss(model, tokenizer, test)
    logger.info("held-out loss before: %.3f (perplexity %.1f)", before.loss, before.perplexity)
    trained_from = time.perf_counter()
    budget_s = time_budget_min * 60 if time_budget_min is not None else None
    trainer = run(max_steps, budget_s, lr)
    seconds = time.perf_counter() - trained_from
    after = held_out_loss(model, tokenizer, test)
    logger.info("held-out loss after: %.3f (perplexity %.1f)", after.loss, after.perplexity)
    mean_tokens = sum(len(e.input_ids) for e in train) / len(train)
    tokens_seen = int(trainer.global_step * batch_size * mean_tokens)
    save_checkpoint(out, model, tokenizer, {"task": "pretrain-medline", "init": init})
    summary = PretrainSummary(
        init=init,
        architecture=architecture,
        objective="span corruption" if architecture == "encoder-decoder" else "masked LM",
        out=str(out),
        train_documents=len(train),
        steps=trainer.global_step,
        tokens_seen=tokens_seen,
        seconds=round(time.perf_counter() - started, 1),
        tokens_per_second=round(tokens_seen / max(seconds, 1e-9), 1),
        before=before,
        after=after,
    )
    (out / "pretrain_summary.json").write_text(summary.model_dump_json(indent=2))
    return summary
