"""Inputs of the abstract-level model: abstract spans, position features, cross-fitting."""

from __future__ import annotations

import numpy as np
from roles_helpers import synthetic_abstracts

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.training.abstract_features import abstract_spans, crossfit_lexical, position_features


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
