"""Training the entity tagger: silver BIO labels from the dictionary pipeline, then fine-tuning.

Silver labels: the rule/dictionary `MedicalTextAnalyzer` runs over title + abstract of MEDLINE
citations in the TRAIN split only (`medlm.datasets.medline_corpus.split_of`, decided per PMID,
so no sentence of a validation or test abstract is ever seen); its problem and medication
entities become the spans of each sentence. Sentences without any entity are kept at a fixed
fraction (chosen by a hash of the sentence, so the sample is the same on every run).

    python -m medlm.text.tagger_training --out /tmp/medlm-runs/tagger/model --sentences 4500
    python -m medlm.text.tagger_training --out /tmp/medlm-runs/tagger/model2 --sentences 4500 \
        --skip 4500 --init /tmp/medlm-runs/tagger/model      # go on with the next sentences
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import math
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import torch
from pydantic import BaseModel, ConfigDict, Field

from medlm.datasets.medline import Citation
from medlm.datasets.medline_corpus import corpus_documents
from medlm.lm.checkpoint import load_training_settings
from medlm.lm.models import Batch, LanguageModel, TokenClassifier
from medlm.lm.pretrained import load_pretrained
from medlm.lm.tokenizer import Tokenizer
from medlm.records import Span
from medlm.text.analyzer import MedicalTextAnalyzer
from medlm.text.tagger import ENTITY_LABELS, EntityTagger, align_labels, bio_tags, encode

logger = logging.getLogger(__name__)


class SilverSentence(BaseModel):
    """One training sentence with the dictionary pipeline's entity spans (offsets into text)."""

    model_config = ConfigDict(frozen=True)

    pmid: str
    text: str
    spans: tuple[Span, ...] = ()


class TaggerTrainingSettings(BaseModel):
    """Fine-tuning settings; saved with the checkpoint."""

    model_config = ConfigDict(frozen=True)

    base_model: str = "minilm"
    epochs: int = Field(default=1, ge=1)
    batch_size: int = Field(default=16, ge=1)
    learning_rate: float = Field(default=5e-5, gt=0)
    weight_decay: float = Field(default=0.01, ge=0)
    warmup_fraction: float = Field(default=0.1, ge=0, le=1)
    max_length: int = Field(default=128, ge=8)
    seed: int = 0


def silver_sentences(
    citations: Iterable[Citation],
    analyzer: MedicalTextAnalyzer,
    labels: Sequence[str] = ENTITY_LABELS,
    empty_fraction: float = 0.25,
) -> Iterator[SilverSentence]:
    """Train-split sentences labelled by the dictionary pipeline."""
    for doc in corpus_documents(citations):
        if doc.split != "train":
            continue
        analysis = analyzer.analyze(doc.text)
        entities = [e for e in analysis.entities if e.label in labels]
        for sentence in analysis.sentences:
            a, b = sentence.start, sentence.end
            spans = tuple(
                Span(start=e.start - a, end=e.end - a, label=e.label)
                for e in entities
                if a <= e.start and e.end <= b
            )
            text = doc.text[a:b]
            if not spans and _hash_fraction(text) >= empty_fraction:
                continue
            yield SilverSentence(pmid=doc.pmid, text=text, spans=spans)


def _hash_fraction(text: str) -> float:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def train_tagger(
    sentences: Sequence[SilverSentence],
    settings: TaggerTrainingSettings,
    labels: Sequence[str] = ENTITY_LABELS,
    encoder_and_tokenizer: tuple[LanguageModel, Tokenizer] | None = None,
    start: EntityTagger | None = None,
) -> tuple[EntityTagger, list[float]]:
    """Fine-tune a TokenClassifier from the base encoder (or go on training `start`).

    Returns the tagger and the loss of each step.
    """
    torch.manual_seed(settings.seed)
    tags = bio_tags(labels)
    if start is not None:
        tagger, model = start, start.model
    else:
        encoder, tokenizer = encoder_and_tokenizer or load_pretrained(settings.base_model)
        model = TokenClassifier.from_encoder(encoder, num_labels=len(tags))
        tagger = EntityTagger(model, tokenizer, labels, settings.max_length)
    examples = []
    for s in sentences:
        piece_ids, offsets = encode(tagger.tokenizer, s.text, settings.max_length)
        examples.append((piece_ids, align_labels(offsets, s.spans, tags)))
    steps = settings.epochs * math.ceil(len(examples) / settings.batch_size)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    warmup = max(1, int(settings.warmup_fraction * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda k: min((k + 1) / warmup, max(0.0, (steps - k) / max(1, steps - warmup)))
    )
    losses: list[float] = []
    model.train()
    started = time.perf_counter()
    for epoch in range(settings.epochs):
        for batch in _batches(examples, settings.batch_size, settings.seed + epoch):
            ids, mask = tagger.tokenizer.pad([e[0] for e in batch])
            target = torch.full(ids.shape, -100, dtype=torch.long)
            for row, (_, y) in enumerate(batch):
                target[row, : len(y)] = torch.tensor(y)
            out = model(Batch(input_ids=ids, padding_mask=mask, labels=target))
            assert out.loss is not None
            optimizer.zero_grad()
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            losses.append(out.loss.item())
            if len(losses) % 50 == 0:
                logger.info(
                    "step %d/%d loss %.4f (%.0f s)",
                    len(losses),
                    steps,
                    sum(losses[-50:]) / 50,
                    time.perf_counter() - started,
                )
    model.eval()
    return tagger, losses


def _batches(
    examples: list[tuple[list[int], list[int]]], size: int, seed: int
) -> Iterator[list[tuple[list[int], list[int]]]]:
    """Shuffled batches; lengths are sorted within groups of 20 batches to cut padding."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    group = size * 20
    batches = []
    for g in range(0, len(order), group):
        chunk = sorted(order[g : g + group], key=lambda i: len(examples[i][0]))
        batches += [chunk[k : k + size] for k in range(0, len(chunk), size)]
    random.Random(seed + 1).shuffle(batches)
    for b in batches:
        yield [examples[i] for i in b]


def main(argv: Sequence[str] | None = None) -> None:
    """Build silver sentences from the packaged MEDLINE files and fine-tune a tagger."""
    from medlm.datasets.medline import iter_citations

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="checkpoint folder to write")
    parser.add_argument("--sentences", type=int, default=4500)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--init", type=Path, help="go on training this tagger checkpoint")
    parser.add_argument("--skip", type=int, default=0, help="silver sentences to pass over first")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    analyzer = MedicalTextAnalyzer().warm_up()
    started = time.perf_counter()
    sentences: list[SilverSentence] = []
    for n, s in enumerate(silver_sentences(iter_citations(), analyzer)):
        if n >= args.skip:
            sentences.append(s)
        if len(sentences) >= args.sentences:
            break
    logger.info(
        "%d silver sentences from %d abstracts, %d spans, in %.0f s",
        len(sentences),
        len({s.pmid for s in sentences}),
        sum(len(s.spans) for s in sentences),
        time.perf_counter() - started,
    )
    settings = TaggerTrainingSettings(epochs=args.epochs)
    started = time.perf_counter()
    start = EntityTagger.load(args.init) if args.init else None
    tagger, losses = train_tagger(sentences, settings, start=start)
    seconds = time.perf_counter() - started
    logger.info(
        "trained %d steps in %.0f s, last-50 loss %.4f",
        len(losses),
        seconds,
        sum(losses[-50:]) / max(1, len(losses[-50:])),
    )
    record = {
        **settings.model_dump(),
        "sentences": len(sentences),
        "abstracts": len({s.pmid for s in sentences}),
        "train_seconds": round(seconds),
        "threads": args.threads,
        "skipped_sentences": args.skip,
    }
    if args.init:
        earlier = load_training_settings(args.init)
        record["continued_from"] = {k: earlier.get(k) for k in ("sentences", "train_seconds")}
    tagger.save(args.out, record)


if __name__ == "__main__":
    main()
