"""Sentence roles in structured abstracts: context-aware inputs, fine-tuning and prediction.

The task: label each sentence of an abstract BACKGROUND, OBJECTIVE, METHODS, RESULTS or
CONCLUSIONS. A sentence's role depends on where it stands, so the classifier sees its context,
as published models for this task family do (PubMed 20k RCT): one input per sentence,

    [CLS] position words  sentence [SEP] previous sentence [SEP] next sentence [SEP]
    segment 0 ........................ | segment 1 ...............................

where the position words are "sentence i of n, decile d" (d = 0..9 from the relative position)
and the neighbours are truncated to `context_tokens` word pieces each, the sentence itself to
`sentence_tokens`. Segment ids mark the context so the encoder can tell it apart from the
sentence being labelled. Leakage rule: splits are by abstract (PMID hash), never by sentence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from pydantic import BaseModel, ConfigDict

from medlm.datasets.medline_corpus import ROLES, RoleSentence, Split
from medlm.errors import InputError
from medlm.lm.models import Batch, SequenceClassifier
from medlm.lm.precision import (
    Precision,
    PrecisionPath,
    check_precision,
    explicit_path,
    path_context,
    path_model,
)
from medlm.lm.tokenizer import Tokenizer
from medlm.training.batching import Example, pad_sequences
from medlm.training.role_calibration import RoleCalibration, decide
from medlm.training.role_sequence import RoleTransitions

if TYPE_CHECKING:
    from medlm.lm.onnx_inference import OnnxClassifier

logger = logging.getLogger(__name__)

SENTENCE_TOKENS = 64
CONTEXT_TOKENS = 24


def load_role_sentences(split: Split | None = None) -> list[RoleSentence]:
    """Role sentences of the packaged MEDLINE baseline files, optionally of one split."""
    from medlm.datasets.medline import iter_citations
    from medlm.datasets.medline_corpus import role_sentences

    return [s for s in role_sentences(iter_citations()) if split is None or s.split == split]


def position_words(index: int, count: int) -> str:
    """The position cue prepended to a sentence: its rank, the abstract's length and decile."""
    decile = min(int(10 * index / max(count, 1)), 9)
    return f"sentence {index + 1} of {count}, decile {decile}."


def abstract_sentences(sentences: Sequence[str], journal: str = "") -> list[RoleSentence]:
    """An unlabelled abstract (its sentences in order) as role inputs with positions, and its
    journal's MEDLINE abbreviation when known ('' if not)."""
    if not sentences:
        raise InputError("abstract has no sentences to label")
    n = len(sentences)
    return [
        RoleSentence(
            pmid="",
            split="test",
            text=text,
            label=ROLES[0],  # placeholder, never read when predicting
            index=i,
            count=n,
            previous=sentences[i - 1] if i > 0 else "",
            next=sentences[i + 1] if i + 1 < n else "",
            journal=journal,
        )
        for i, text in enumerate(sentences)
    ]


@dataclass(frozen=True)
class RoleEncoder:
    """Turns role sentences into token ids with the layout in the module docstring."""

    tokenizer: Tokenizer
    sentence_tokens: int = SENTENCE_TOKENS
    context_tokens: int = CONTEXT_TOKENS

    def _pieces(self, texts: Sequence[str], limit: int) -> list[list[int]]:
        encoded = self.tokenizer.backend.encode_batch(list(texts), add_special_tokens=False)
        return [e.ids[:limit] for e in encoded]

    def encode(self, sentences: Sequence[RoleSentence]) -> list[list[int]]:
        cls = self.tokenizer.token_id(self.tokenizer.specials.start)
        sep = self.tokenizer.token_id(self.tokenizer.specials.end)
        heads = self._pieces(
            [f"{position_words(s.index, s.count)} {s.text}" for s in sentences],
            self.sentence_tokens,
        )
        before = self._pieces([s.previous for s in sentences], self.context_tokens)
        after = self._pieces([s.next for s in sentences], self.context_tokens)
        return [
            [cls, *h, sep, *b, sep, *a, sep] for h, b, a in zip(heads, before, after, strict=True)
        ]

    def examples(self, sentences: Sequence[RoleSentence]) -> list[Example]:
        ids = self.encode(sentences)
        return [Example(i, ROLES.index(s.label)) for i, s in zip(ids, sentences, strict=True)]


@dataclass(frozen=True)
class RoleBatches:
    """Objective for the Trainer: padded ids, segment ids (1 after the first [SEP]), labels."""

    pad_id: int
    sep_id: int

    def __call__(self, examples: Sequence[Example], generator: torch.Generator) -> Batch:
        return role_batch([e.input_ids for e in examples], self.pad_id, self.sep_id, examples)


def role_batch(
    ids: Sequence[Sequence[int]], pad_id: int, sep_id: int, examples: Sequence[Example] = ()
) -> Batch:
    input_ids, mask = pad_sequences(ids, pad_id)  # (B, T)
    is_sep = (input_ids == sep_id).int()
    segments = ((is_sep.cumsum(dim=1) - is_sep) > 0).long() & mask.long()  # (B, T)
    labels = None
    if examples:
        labels = torch.tensor([int(e.label) for e in examples], dtype=torch.long)  # type: ignore[arg-type]
    return Batch(input_ids, mask, segment_ids=segments, labels=labels)


class RolePrediction(BaseModel):
    """One sentence's predicted role and the classifier's probability for it."""

    model_config = ConfigDict(frozen=True)

    text: str
    role: str
    score: float


class SentenceRoleClassifier:
    """A fine-tuned sequence classifier that labels abstract sentences.

    The model is a torch `SequenceClassifier` (a checkpoint folder) or its ONNX export run by
    onnxruntime (an export folder from `medlm lm export`, fp32 or int8), which takes the same
    ids and segment ids.
    """

    def __init__(
        self,
        model: SequenceClassifier | OnnxClassifier,
        tokenizer: Tokenizer,
        batch_size: int = 64,
    ):
        if model.num_labels != len(ROLES):
            raise InputError(
                f"sentence-role model has {model.num_labels} labels, expected {len(ROLES)}"
            )
        self.model = model.eval() if isinstance(model, SequenceClassifier) else model
        self.tokenizer = tokenizer
        self.encoder = RoleEncoder(tokenizer)
        self.batch_size = batch_size
        self.transitions: RoleTransitions | None = None
        self.calibration: RoleCalibration | None = None
        self.path: PrecisionPath = "fp32"  # `use_precision` sets it
        self._path_models: dict[PrecisionPath, torch.nn.Module] = {}

    @classmethod
    def load(cls, folder: Path) -> SentenceRoleClassifier:
        """A checkpoint folder, or an ONNX export folder (it holds `model.onnx`)."""
        from medlm.lm.checkpoint import load_checkpoint
        from medlm.lm.export import MODEL_FILE

        if (folder / MODEL_FILE).is_file():
            from medlm.lm.onnx_inference import OnnxClassifier

            exported = OnnxClassifier(folder)
            classifier = cls(exported, exported.tokenizer)
        else:
            model, tokenizer = load_checkpoint(folder)
            if not isinstance(model, SequenceClassifier) or tokenizer is None:
                raise InputError(f"{folder} is not a sentence-role classifier with a tokenizer")
            classifier = cls(model, tokenizer)
        classifier.transitions = RoleTransitions.load(folder)
        classifier.calibration = RoleCalibration.load(folder)
        return classifier

    def export_onnx(self, folder: Path | str) -> Path:
        """Write the torch model as an ONNX classifier to `folder` with its decision files
        (validation biases, role transitions), so `load(folder)` decides like this object.
        `medlm.lm.export.quantize_int8(folder, ...)` then gives an int8 copy with them."""
        from medlm.lm.export import export_classifier_onnx

        if not isinstance(self.model, SequenceClassifier):
            raise InputError("only a torch sentence-role model can be exported; this one is ONNX")
        out = export_classifier_onnx(self.model, self.tokenizer, folder, labels=list(ROLES))
        if self.transitions is not None:
            self.transitions.save(out)
        if self.calibration is not None:
            self.calibration.save(out)
        return out

    def use_precision(
        self,
        precision: Precision,
        *,
        cache_dir: Path | None = None,
        sample: Sequence[RoleSentence] | None = None,
    ) -> SentenceRoleClassifier:
        """Run inference in `precision` (`medlm.lm.precision`); `auto` measures the torch paths
        on `sample` (default: validation abstracts) and keeps the fastest whose macro-F1 is
        within 0.005 of fp32's. An ONNX model keeps its own precision. Returns self."""
        from medlm.training.role_precision import choose_classifier_path

        if not isinstance(self.model, SequenceClassifier):
            if precision not in ("auto", "fp32"):
                raise InputError(f"precision {precision!r}: an ONNX model runs as exported")
            return self
        if precision == "auto":
            self.path = choose_classifier_path(self, cache_dir, sample).chosen
        else:
            self.path = explicit_path(check_precision(precision), "classifier")
        return self

    def probabilities(
        self,
        sentences: Sequence[RoleSentence],
        on_batch: Callable[[int], Any] | None = None,
        path: PrecisionPath | None = None,
    ) -> torch.Tensor:
        """(N, len(ROLES)) class probabilities, batched by length for speed; `path` overrides
        the precision path set by `use_precision`."""
        ids = self.encoder.encode(sentences)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = torch.zeros(len(ids), len(ROLES))
        sep = self.tokenizer.token_id(self.tokenizer.specials.end)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                rows = order[start : start + self.batch_size]
                batch = role_batch([ids[i] for i in rows], self.tokenizer.pad_id, sep)
                out[rows] = self._logits(batch, path or self.path).softmax(dim=-1)
                if on_batch is not None:
                    on_batch(len(rows))
        return out

    def _logits(self, batch: Batch, path: PrecisionPath = "fp32") -> torch.Tensor:
        """(B, len(ROLES)) float32 logits of one batch, from torch or onnxruntime."""
        if isinstance(self.model, SequenceClassifier):
            if path not in self._path_models:
                self._path_models[path] = path_model(self.model, path)
            with path_context(path):
                logits = self._path_models[path](batch).logits
            assert logits is not None
            return logits.float()
        assert batch.padding_mask is not None  # role_batch always sets it
        segments = None if batch.segment_ids is None else batch.segment_ids.numpy()
        mask = batch.padding_mask.long().numpy()
        return torch.from_numpy(self.model.run_ids(batch.input_ids.numpy(), mask, segments))

    def predict(self, sentences: Sequence[RoleSentence]) -> list[RolePrediction]:
        """Roles of sentences, with the model's validation-chosen calibration when it has one."""
        probs = self.probabilities(sentences)
        best = probs.argmax(dim=-1)
        if self.calibration is not None:
            c = self.calibration
            ids = decide(sentences, probs.numpy(), self.transitions, c.bias, c.transition_weight)
            best = torch.tensor(ids)
        return [
            RolePrediction(text=s.text, role=ROLES[int(b)], score=float(probs[i, b]))
            for i, (s, b) in enumerate(zip(sentences, best, strict=True))
        ]

    def predict_abstract(self, sentences: Sequence[str]) -> list[RolePrediction]:
        """Roles of an abstract's sentences, given in their order."""
        return self.predict(abstract_sentences(sentences))


def stop_after(seconds: float | None, max_steps: int | None) -> Any:
    """A Trainer callback that stops training after a time budget or a number of steps."""
    from medlm.training.callbacks import Callback

    class _Budget(Callback):
        def on_train_start(self, trainer: Any, total_steps: int) -> None:
            self.started = time.perf_counter()

        def on_step_end(self, trainer: Any, step: int, loss: float) -> None:
            over_time = seconds is not None and time.perf_counter() - self.started > seconds
            if over_time or (max_steps is not None and step >= max_steps):
                trainer.should_stop = True

    return _Budget()


def subsample(
    sentences: Iterable[RoleSentence], limit: int | None, seed: int
) -> list[RoleSentence]:
    """At most `limit` sentences, drawn as whole abstracts (seeded), keeping abstracts intact."""
    items = list(sentences)
    if limit is None or limit >= len(items):
        return items
    pmids = sorted({s.pmid for s in items})
    generator = torch.Generator().manual_seed(seed)
    chosen: set[str] = set()
    total = 0
    by_pmid: dict[str, int] = {}
    for s in items:
        by_pmid[s.pmid] = by_pmid.get(s.pmid, 0) + 1
    for i in torch.randperm(len(pmids), generator=generator).tolist():
        if total >= limit:
            break
        chosen.add(pmids[i])
        total += by_pmid[pmids[i]]
    return [s for s in items if s.pmid in chosen]
