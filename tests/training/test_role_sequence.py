"""Abstract-level decoding of sentence roles: counted transitions and Viterbi."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from roles_helpers import synthetic_abstracts

from medlm.datasets.medline_corpus import ROLES
from medlm.training.role_sequence import RoleTransitions, by_abstract, decode_abstracts, viterbi


def test_transitions_are_counted_per_abstract_in_order() -> None:
    transitions = RoleTransitions.count(synthetic_abstracts(20))
    start = np.exp(transitions.start)
    move = np.exp(transitions.transition)
    assert np.allclose(start.sum(), 1) and np.allclose(move.sum(axis=1), 1)
    assert start.argmax() == 0  # every synthetic abstract starts with BACKGROUND
    for i in range(len(ROLES) - 1):
        assert move[i].argmax() == i + 1  # B -> O -> M -> R -> C


def test_viterbi_overrides_a_weak_sentence_guess_that_breaks_the_order() -> None:
    transitions = RoleTransitions.count(synthetic_abstracts(20))
    probs = np.full((5, 5), 0.01)
    for i in range(5):
        probs[i, i] = 0.96
    probs[2] = [0.01, 0.01, 0.45, 0.01, 0.52]  # METHODS sentence, argmax says CONCLUSIONS
    assert probs.argmax(axis=1).tolist() == [0, 1, 4, 3, 4]
    assert viterbi(np.log(probs), transitions) == [0, 1, 2, 3, 4]


def test_viterbi_keeps_confident_labels() -> None:
    transitions = RoleTransitions.count(synthetic_abstracts(20))
    probs = np.full((3, 5), 1e-6)
    probs[:, 3] = 1.0  # three confident RESULTS sentences
    assert viterbi(np.log(probs), transitions) == [3, 3, 3]


def test_decoding_runs_abstract_by_abstract_and_transitions_round_trip(tmp_path: Path) -> None:
    sentences = synthetic_abstracts(3)
    assert [len(a) for a in by_abstract(sentences)] == [5, 5, 5]
    transitions = RoleTransitions.count(sentences)
    probs = np.full((15, 5), 0.2)
    assert decode_abstracts(sentences, probs, transitions) == [0, 1, 2, 3, 4] * 3
    transitions.save(tmp_path)
    assert RoleTransitions.load(tmp_path) == transitions
    assert RoleTransitions.load(tmp_path / "none") is None
