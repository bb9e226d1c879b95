"""Sentence roles of an abstract as spans, from a fine-tuned sentence-role classifier.

Structured abstracts carry their section labels; for the rest, a classifier fine-tuned with
`medlm lm finetune --task sentence-roles` (`medlm.training.sentence_roles`) labels each
sentence BACKGROUND, OBJECTIVE, METHODS, RESULTS or CONCLUSIONS. This module only needs
something with `predict_abstract(sentences)`, so the text pipeline does not import torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from medlm.datasets.medline_corpus import split_abstract_sentences
from medlm.records import Span


class RolePredictionLike(Protocol):
    @property
    def role(self) -> str: ...
    @property
    def score(self) -> float: ...


class RoleLabeller(Protocol):
    """What labels an abstract's sentences (e.g. `SentenceRoleClassifier`)."""

    def predict_abstract(self, sentences: Sequence[str]) -> Sequence[RolePredictionLike]: ...


def sentence_role_spans(text: str, labeller: RoleLabeller) -> list[Span]:
    """One span per sentence of `text`, labelled with its predicted role and probability."""
    sentences = split_abstract_sentences(text)
    if not sentences:
        return []
    spans: list[Span] = []
    position = 0
    predictions = labeller.predict_abstract(sentences)
    for sentence, prediction in zip(sentences, predictions, strict=True):
        start = text.find(sentence, position)
        if start < 0:  # a sentence re-joined across an abbreviation: locate its first word
            start = text.find(sentence.split()[0], position)
        end = start + len(sentence)
        position = end
        spans.append(Span(start=start, end=end, label=prediction.role, score=prediction.score))
    return spans
