"""`EntityTagger`: a fine-tuned token classifier that finds problem and drug spans in text.

Labels are BIO tags over word pieces. Every sub-token of an entity carries a tag: the first
sub-token inside the span `B-<label>`, the others `I-<label>`; [CLS], [SEP] and padding carry
IGNORE_INDEX. Word pieces are aligned with character spans through the tokenizer's offsets, so
decoding the predicted tags gives character offsets back; a decoded span is widened to whole
words (a WordPiece tag sequence may stop inside a word).

    tagger = EntityTagger.load(Path("/tmp/medlm-runs/tagger/model"))
    spans = tagger.tag("Metformin lowered HbA1c in type 2 diabetes.")
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import torch

from medlm.errors import InputError
from medlm.lm.checkpoint import load_checkpoint, load_training_settings, save_checkpoint
from medlm.lm.models import IGNORE_INDEX, Batch, TokenClassifier
from medlm.lm.tokenizer import Tokenizer
from medlm.records import Span
from medlm.text.dictionary import Match, Term, TermIndex
from medlm.text.segment import Token, split_sentences

ENTITY_LABELS: tuple[str, ...] = ("problem", "medication")
TAGGER_SOURCE = "tagger"
Offsets = list[tuple[int, int]]


def bio_tags(labels: Sequence[str] = ENTITY_LABELS) -> list[str]:
    """Tag names by id: "O", then "B-x", "I-x" for each label x."""
    return ["O", *[f"{p}-{label}" for label in labels for p in ("B", "I")]]


def encode(tokenizer: Tokenizer, text: str, max_length: int) -> tuple[list[int], Offsets]:
    """Word-piece ids of `text` with [CLS]/[SEP], truncated, and each piece's character range.

    Special tokens get the empty range (0, 0).
    """
    tokenizer.backend.enable_truncation(min(max_length, tokenizer.max_length))
    try:
        encoding = tokenizer.backend.encode(text)
    finally:
        tokenizer.backend.no_truncation()
    specials = set(tokenizer.special_ids)
    offsets = [
        (0, 0) if i in specials else (int(a), int(b))
        for i, (a, b) in zip(encoding.ids, encoding.offsets, strict=True)
    ]
    return list(encoding.ids), offsets


def align_labels(offsets: Offsets, spans: Sequence[Span], tags: Sequence[str]) -> list[int]:
    """BIO tag ids for word pieces with `offsets`, from character `spans` (all sub-tokens)."""
    index = {t: i for i, t in enumerate(tags)}
    out: list[int] = []
    previous: Span | None = None
    for a, b in offsets:
        if a == b:
            out.append(IGNORE_INDEX)
            previous = None
            continue
        span = next((s for s in spans if s.start <= a and b <= s.end), None)
        if span is None or f"B-{span.label}" not in index:
            out.append(index["O"])
            span = None
        elif span is previous:
            out.append(index[f"I-{span.label}"])
        else:
            out.append(index[f"B-{span.label}"])
        previous = span
    return out


def decode_spans(
    text: str, offsets: Offsets, tag_ids: Sequence[int], tags: Sequence[str]
) -> list[Span]:
    """Character spans from per-piece tag ids.

    An I- tag after O or another label starts a span; a B- piece with no space before it
    ("SARS" "-" "CoV") continues the span it touches, since a span never starts inside a word.
    """
    spans: list[Span] = []
    current: tuple[int, int, str] | None = None
    for (a, b), tag_id in zip(offsets, tag_ids, strict=True):
        if a == b:
            continue
        tag = tags[tag_id]
        label = tag[2:] if tag != "O" else ""
        if current is not None and label == current[2] and (tag[0] == "I" or a == current[1]):
            current = (current[0], b, label)  # an I- tag, or a B- piece glued to the span
            continue
        if current is not None:
            spans.append(_whole_words(text, *current))
        current = (a, b, label) if label else None
    if current is not None:
        spans.append(_whole_words(text, *current))
    return _merge_overlaps(spans)


def _whole_words(text: str, start: int, end: int, label: str) -> Span:
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return Span(start=start, end=end, label=label)


def _merge_overlaps(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and s.start < out[-1].end:
            continue
        out.append(s)
    return out


class EntityTagger:
    """Problem and drug spans from a `TokenClassifier` over word pieces."""

    def __init__(
        self,
        model: TokenClassifier,
        tokenizer: Tokenizer,
        labels: Sequence[str] = ENTITY_LABELS,
        max_length: int = 128,
        batch_size: int = 32,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.labels = tuple(labels)
        self.tags = bio_tags(self.labels)
        self.max_length = max_length
        self.batch_size = batch_size
        if model.num_labels != len(self.tags):
            raise InputError(
                f"TokenClassifier.num_labels is {model.num_labels}, but labels {self.labels} "
                f"need {len(self.tags)} BIO tags"
            )

    def tag(self, text: str) -> list[Span]:
        """Entity spans of `text` (character offsets), tagged sentence by sentence.

        A sentence longer than `max_length` word pieces is tagged up to that length only.
        """
        sentences = split_sentences(text, [(0, len(text))]) if text.strip() else []
        return [s for spans in self.tag_many(text, sentences) for s in spans]

    def tag_many(self, text: str, ranges: Sequence[tuple[int, int]]) -> list[list[Span]]:
        """Entity spans of each `text[a:b]` in `ranges`, with offsets into `text`."""
        out: list[list[Span]] = []
        for first in range(0, len(ranges), self.batch_size):
            out.extend(self._spans(text, ranges[first : first + self.batch_size]))
        return out

    @torch.no_grad()
    def _spans(self, text: str, ranges: Sequence[tuple[int, int]]) -> list[list[Span]]:
        encoded = [encode(self.tokenizer, text[a:b], self.max_length) for a, b in ranges]
        ids, mask = self.tokenizer.pad([e[0] for e in encoded])
        self.model.eval()
        logits = self.model(Batch(input_ids=ids, padding_mask=mask)).logits
        assert logits is not None
        best = logits.argmax(dim=-1).tolist()  # (B, T)
        out = []
        for (a, b), (_, offsets), row in zip(ranges, encoded, best, strict=True):
            spans = decode_spans(text[a:b], offsets, row[: len(offsets)], self.tags)
            out.append(
                [s.model_copy(update={"start": s.start + a, "end": s.end + a}) for s in spans]
            )
        return out

    def save(self, folder: Path, training: dict[str, object] | None = None) -> Path:
        """Write a medlm checkpoint with the tagger's labels among its training settings."""
        settings = {**(training or {}), "entity_labels": list(self.labels)}
        settings["max_length"] = self.max_length
        return save_checkpoint(folder, self.model, self.tokenizer, settings)

    @classmethod
    def load(cls, folder: Path) -> EntityTagger:
        """The tagger saved in `folder` by `save`."""
        model, tokenizer = load_checkpoint(folder)
        if not isinstance(model, TokenClassifier) or tokenizer is None:
            raise InputError(f"checkpoint {folder} is not a token classifier with a tokenizer")
        settings = load_training_settings(folder)
        labels = settings.get("entity_labels")
        if not isinstance(labels, list):
            raise InputError(f"checkpoint {folder}: training.json has no entity_labels list")
        return cls(model, tokenizer, labels, int(settings.get("max_length", 128)))


def tagged_matches(
    text: str, tokens: Sequence[Token], spans: Sequence[Span], index: TermIndex
) -> list[Match]:
    """Dictionary-style matches for tagger spans, so the analyzer codes and contextualises them.

    A span whose words are a packaged term of the same label keeps that term's codes; any other
    span is a match without codes (no code rather than a guessed one). Spans that cover no whole
    token are dropped.
    """
    starts = [t.start for t in tokens]
    out: list[Match] = []
    for span in spans:
        lo, hi = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
        if lo >= hi:
            continue
        covered = text[span.start : span.end]
        known = [
            replace(t, source=TAGGER_SOURCE)
            for t in index.lookup(covered)
            if t.label == span.label and t.source != "abbreviation"
        ]
        terms = known or [Term(span.label, covered, TAGGER_SOURCE, covered, False)]
        out.append(Match(lo, hi - 1, span.start, span.end, terms))
    return out
