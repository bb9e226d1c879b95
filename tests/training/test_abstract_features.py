"""Inputs of the abstract-level model: abstract spans, position features, cross-fitting."""

from __future__ import annotations

import numpy as np
from roles_helpers import synthetic_abstracts

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.training.abstract_features import (
    LexicalRoles,
    abstract_spans,
    crossfit_lexical,
    opening_words,
    position_features,
)


def memorisable_abstracts(n: int) -> list[RoleSentence]:
    """Each abstract has its own words, shared by a pair of sentences with one random role,
    so only a classifier that saw the abstract can know its roles."""
    rng = np.random.default_rng(0)
    out: list[RoleSentence] = []
    for a in range(n):
        roles = rng.choice(len(ROLES), size=3)
        texts = [f"w{a}x{pair} z{a}y{pair}" for pair in range(3) for _ in range(2)]
        for i, text in enumerate(texts):
            out.append(
                RoleSentence(
                    pmid=f"p{a}",
                    split="train",
                    text=text,
                    label=ROLES[roles[i // 2]],
                    index=i,
                    count=len(texts),
                )
            )
    return out


def test_crossfit_probabilities_come_from_classifiers_that_never_saw_the_abstract() -> None:
    train = memorisable_abstracts(40)
    gold = np.asarray([ROLES.index(s.label) for s in train])
    out_of_fold, full = crossfit_lexical(train, folds=4, seed=0)
    in_sample = full.predict_proba(train)
    assert (in_sample.argmax(axis=1) == gold).mean() > 0.9  # the full fit memorises
    assert (out_of_fold.argmax(axis=1) == gold).mean() < 0.5  # held-out folds cannot
    np.testing.assert_allclose(out_of_fold.sum(axis=1), 1.0, atol=1e-5)


def test_abstract_spans_split_at_index_zero_and_new_pmids() -> None:
    sentences = synthetic_abstracts(3)
    assert abstract_spans(sentences) == [(0, 5), (5, 10), (10, 15)]
    one = sentences[:2]
    assert abstract_spans(one) == [(0, 2)]


def test_position_features_mark_first_and_last_sentences() -> None:
    features = position_features(synthetic_abstracts(1))
    assert features.shape == (len(ROLES), 5)
    assert features[0, :3].tolist() == [0.0, 1.0, 0.0]
    assert features[-1, :3].tolist() == [1.0, 0.0, 1.0]


def test_character_ngrams_tell_apart_sentences_whose_word_tokens_are_the_same() -> None:
    texts = ["the difference was p < 0.05", "the difference was p = 0.05", "no difference"]
    sentences = [
        RoleSentence(pmid=f"p{i}", split="train", text=t, label="RESULTS", index=0, count=1)
        for i, t in enumerate(texts * 3)
    ]
    less, equal = sentences[0:1], sentences[1:2]
    words = LexicalRoles().fit_vectorizers(sentences)
    assert (words.features(less) != words.features(equal)).nnz == 0  # "p", "<", "=" dropped
    extended = LexicalRoles(extended=True).fit_vectorizers(sentences)
    assert (extended.features(less) != extended.features(equal)).nnz > 0
    assert extended.features(less).shape[1] > words.features(less).shape[1]


def test_opening_words_are_tagged_with_their_place() -> None:
    assert opening_words("To determine whether X helps.") == "o0_to o1_determine o2_whether"
    assert opening_words("Results") == "o0_results"
    assert opening_words("") == ""
    texts = ["in conclusion the drug works", "the drug works in conclusion"] * 2
    sentences = [
        RoleSentence(pmid=f"p{i}", split="train", text=t, label="RESULTS", index=0, count=1)
        for i, t in enumerate(texts)
    ]
    words = LexicalRoles().fit_vectorizers(sentences)
    extended = LexicalRoles(extended=True).fit_vectorizers(sentences)
    openings = extended.opening_vectorizer_.vocabulary_
    assert {"o0_in", "o1_conclusion", "o0_the", "o1_drug"} <= set(openings)
    assert "o0_drug" not in openings  # "drug" opens no sentence
    characters = len(extended.character_vectorizer_.vocabulary_)
    width = words.features(sentences).shape[1] + characters + len(openings)
    assert extended.features(sentences).shape[1] == width


def test_a_classifier_pickled_before_the_extended_option_reads_words_only() -> None:
    train = memorisable_abstracts(8)
    _, fitted = crossfit_lexical(train, folds=2, seed=0)
    del fitted.__dict__["extended"]  # as unpickled from an older folder
    assert fitted.extended is False
    assert fitted.predict_proba(train).shape == (len(train), len(ROLES))


def test_crossfit_of_the_extended_view_gives_probabilities_of_the_same_shape() -> None:
    train = memorisable_abstracts(12)
    out_of_fold, full = crossfit_lexical(train, folds=3, seed=0, extended=True)
    assert full.extended and hasattr(full, "character_vectorizer_")
    assert out_of_fold.shape == (len(train), len(ROLES))
    np.testing.assert_allclose(out_of_fold.sum(axis=1), 1.0, atol=1e-5)
