"""The learned entity tagger: BIO alignment, decoding to offsets, training, save/load, analyzer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import torch

from medlm.datasets.medline import AbstractSection, Citation
from medlm.datasets.medline_corpus import split_of
from medlm.errors import InputError
from medlm.lm.config import TransformerConfig
from medlm.lm.models import IGNORE_INDEX, LanguageModel, TokenClassifier
from medlm.lm.tokenizer import Tokenizer, train_wordpiece
from medlm.records import Span
from medlm.text import MedicalTextAnalyzer
from medlm.text.tagger import (
    TAGGER_SOURCE,
    EntityTagger,
    align_labels,
    bio_tags,
    decode_spans,
    encode,
)
from medlm.text.tagger_training import (
    SilverSentence,
    TaggerTrainingSettings,
    silver_sentences,
    train_tagger,
)

TAGS = bio_tags()
SENTENCES = [
    ("metformin lowers glucose in diabetes", [(0, 9, "medication"), (28, 36, "problem")]),
    ("aspirin for headache", [(0, 7, "medication"), (12, 20, "problem")]),
    ("no fever after ibuprofen", [(3, 8, "problem"), (15, 24, "medication")]),
    ("the trial enrolled adults", []),
]


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    corpus = [text for text, _ in SENTENCES] * 3
    return train_wordpiece(corpus, vocab_size=60, max_length=32)


def _tiny_encoder(tokenizer: Tokenizer) -> LanguageModel:
    config = TransformerConfig(
        vocab_size=tokenizer.vocab_size,
        d_model=32,
        n_heads=4,
        n_layers=2,
        d_ff=64,
        max_length=32,
        dropout=0.0,
        attention_dropout=0.0,
        pad_token_id=tokenizer.pad_id,
    )
    torch.manual_seed(0)
    return LanguageModel(config)


def _spans(raw: Sequence[tuple[int, int, str]]) -> list[Span]:
    return [Span(start=a, end=b, label=label) for a, b, label in raw]


def test_align_labels_puts_b_on_first_piece_i_on_the_rest_and_ignores_specials(
    tokenizer: Tokenizer,
) -> None:
    text = "metformin lowers glucose in diabetes"
    _, offsets = encode(tokenizer, text, 32)
    labels = align_labels(offsets, _spans([(0, 9, "medication")]), TAGS)
    assert labels[0] == labels[-1] == IGNORE_INDEX  # [CLS], [SEP]
    pieces = [i for i, (a, b) in enumerate(offsets) if a >= 0 and b <= 9 and a < b]
    assert len(pieces) > 1, "the tiny vocabulary should split 'metformin' into pieces"
    assert TAGS[labels[pieces[0]]] == "B-medication"
    assert all(TAGS[labels[i]] == "I-medication" for i in pieces[1:])
    assert all(TAGS[labels[i]] == "O" for i in range(pieces[-1] + 1, len(labels) - 1))


def test_two_adjacent_entities_each_start_with_b() -> None:
    offsets = [(0, 0), (0, 4), (5, 9), (0, 0)]
    spans = _spans([(0, 4, "problem"), (5, 9, "problem")])
    assert [TAGS[i] for i in align_labels(offsets, spans, TAGS)[1:3]] == [
        "B-problem",
        "B-problem",
    ]


@pytest.mark.parametrize(("text", "raw"), SENTENCES)
def test_decoding_aligned_labels_gives_back_the_character_spans(
    tokenizer: Tokenizer, text: str, raw: list[tuple[int, int, str]]
) -> None:
    _, offsets = encode(tokenizer, text, 32)
    labels = align_labels(offsets, _spans(raw), TAGS)
    tag_ids = [0 if y == IGNORE_INDEX else y for y in labels]
    assert decode_spans(text, offsets, tag_ids, TAGS) == _spans(raw)


def test_decoding_widens_a_span_cut_inside_a_word_and_starts_a_span_on_a_stray_i() -> None:
    text = "took metformin daily"
    offsets = [(0, 0), (0, 4), (5, 8), (8, 14), (15, 20), (0, 0)]
    i_med = TAGS.index("I-medication")
    # "met" only tagged (B), "formin" tagged O: the span still covers the whole word.
    widened = decode_spans(text, offsets, [0, 0, TAGS.index("B-medication"), 0, 0, 0], TAGS)
    assert widened == _spans([(5, 14, "medication")])
    stray = decode_spans(text, offsets, [0, 0, 0, 0, i_med, 0], TAGS)
    assert stray == _spans([(15, 20, "medication")])


def test_tagger_rejects_a_model_whose_head_does_not_fit_the_labels(
    tokenizer: Tokenizer,
) -> None:
    model = TokenClassifier.from_encoder(_tiny_encoder(tokenizer), num_labels=3)
    with pytest.raises(InputError, match="num_labels"):
        EntityTagger(model, tokenizer)


def _trained(tokenizer: Tokenizer) -> EntityTagger:
    silver = [SilverSentence(pmid="1", text=t, spans=tuple(_spans(r))) for t, r in SENTENCES]
    settings = TaggerTrainingSettings(
        epochs=40, batch_size=4, learning_rate=3e-3, warmup_fraction=0.05, max_length=32
    )
    tagger, losses = train_tagger(
        silver, settings, encoder_and_tokenizer=(_tiny_encoder(tokenizer), tokenizer)
    )
    assert losses[-1] < losses[0] / 5
    return tagger


def test_tiny_tagger_learns_its_sentences_and_round_trips_through_a_checkpoint(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    tagger = _trained(tokenizer)
    for text, raw in SENTENCES:
        assert tagger.tag(text) == _spans(raw)
    tagger.save(tmp_path / "tagger", {"note": "test"})
    loaded = EntityTagger.load(tmp_path / "tagger")
    assert loaded.labels == tagger.labels
    text = "aspirin for headache. no fever after metformin"
    assert loaded.tag(text) == tagger.tag(text)
    ids, mask = tokenizer.pad([encode(tokenizer, text, 32)[0]])
    from medlm.lm.models import Batch

    a = tagger.model(Batch(input_ids=ids, padding_mask=mask)).logits
    b = loaded.model(Batch(input_ids=ids, padding_mask=mask)).logits
    assert a is not None and b is not None
    assert torch.equal(a, b)


def test_training_can_go_on_from_an_existing_tagger(tokenizer: Tokenizer) -> None:
    start = _trained(tokenizer)
    before = {k: v.clone() for k, v in start.model.state_dict().items()}
    silver = [
        SilverSentence(
            pmid="2",
            text="aspirin for fever",
            spans=tuple(_spans([(0, 7, "medication"), (12, 17, "problem")])),
        )
    ]
    settings = TaggerTrainingSettings(epochs=2, batch_size=1, learning_rate=1e-3, max_length=32)
    tagger, losses = train_tagger(silver, settings, start=start)
    assert tagger is start and len(losses) == 2
    changed = [k for k, v in tagger.model.state_dict().items() if not torch.equal(v, before[k])]
    assert changed, "the weights of the given tagger should move"


def test_loading_a_folder_that_is_not_a_tagger_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a medlm checkpoint"):
        EntityTagger.load(tmp_path)


class _FixedTagger(EntityTagger):
    """A tagger that returns given spans, to test how the analyzer uses them."""

    def __init__(self, spans: list[Span]) -> None:
        self.fixed = spans

    def tag_many(self, text: str, ranges: Sequence[tuple[int, int]]) -> list[list[Span]]:
        return [[s for s in self.fixed if a <= s.start and s.end <= b] for a, b in ranges]


def test_analyzer_with_a_tagger_keeps_dictionary_codes_context_and_adds_new_names(
    analyzer: MedicalTextAnalyzer,
) -> None:
    text = "The patient denies chest pain. He took zorblamab for asthma."
    start = text.index("zorblamab")
    spans = [
        Span(start=19, end=29, label="problem"),
        Span(start=start, end=start + 9, label="medication"),
    ]
    with_tagger = MedicalTextAnalyzer(tagger=_FixedTagger(spans))
    by_text = {e.text: e for e in with_tagger.analyze(text).entities}
    assert by_text["zorblamab"].label == "medication"
    assert by_text["zorblamab"].source == TAGGER_SOURCE and by_text["zorblamab"].codes == ()
    chest = by_text["chest pain"]
    assert chest.source == TAGGER_SOURCE and chest.assertion.negated
    plain = {e.text: e for e in analyzer.analyze(text).entities}
    assert "zorblamab" not in plain
    assert {c.coding.code for c in chest.codes} == {
        c.coding.code for c in plain["chest pain"].codes
    }
    assert by_text["asthma"].source == plain["asthma"].source  # dictionary fills in the rest


def _pmid_in(split: str) -> str:
    return next(str(n) for n in range(1, 10_000) if split_of(str(n)) == split)


def test_silver_sentences_come_only_from_train_split_abstracts(
    analyzer: MedicalTextAnalyzer,
) -> None:
    def citation(pmid: str) -> Citation:
        section = AbstractSection(label=None, nlm_category=None, text="Aspirin relieved headache.")
        return Citation(pmid=pmid, title="A trial.", sections=(section,), source_file="x")

    pmids = [_pmid_in("test"), _pmid_in("validation"), _pmid_in("train")]
    silver = list(silver_sentences([citation(p) for p in pmids], analyzer))
    assert {s.pmid for s in silver} == {pmids[2]}
    labelled = next(s for s in silver if s.spans)
    assert {(labelled.text[s.start : s.end].lower(), s.label) for s in labelled.spans} >= {
        ("aspirin", "medication"),
        ("headache", "problem"),
    }
