"""Abstract-level decoding of sentence roles: learned role transitions and Viterbi.

Sections of a structured abstract follow each other in a typical order (background, objective,
methods, results, conclusions), so the published models for this task decode the whole
abstract at once with a CRF over the sentence labels. medlm does the same in its simplest
form: transition and start log-probabilities are counted on the training abstracts (add-one
smoothing) and combined with each sentence's log-probabilities from the classifier by the
Viterbi algorithm. Both the per-sentence and the abstract-level labels are reported.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from medlm.datasets.medline_corpus import ROLES, RoleSentence

TRANSITIONS_FILE = "role_transitions.json"


class RoleTransitions(BaseModel):
    """log P(first role) and log P(next role | role), in ROLES order."""

    model_config = ConfigDict(frozen=True)

    roles: tuple[str, ...] = ROLES
    start: list[float]
    transition: list[list[float]]

    @classmethod
    def count(cls, sentences: Sequence[RoleSentence]) -> RoleTransitions:
        """Counted on training sentences (grouped by abstract, in order), add-one smoothed."""
        start = np.ones(len(ROLES))
        moves = np.ones((len(ROLES), len(ROLES)))
        for abstract in by_abstract(sentences):
            labels = [ROLES.index(s.label) for s in abstract]
            start[labels[0]] += 1
            for a, b in itertools.pairwise(labels):
                moves[a, b] += 1
        return cls(
            start=np.log(start / start.sum()).round(6).tolist(),
            transition=np.log(moves / moves.sum(axis=1, keepdims=True)).round(6).tolist(),
        )

    def save(self, folder: Path) -> None:
        (folder / TRANSITIONS_FILE).write_text(self.model_dump_json(indent=2))

    @classmethod
    def load(cls, folder: Path) -> RoleTransitions | None:
        path = folder / TRANSITIONS_FILE
        return cls.model_validate(json.loads(path.read_text())) if path.exists() else None


def by_abstract(sentences: Sequence[RoleSentence]) -> list[list[RoleSentence]]:
    """Sentences grouped per abstract (PMID, and one abstract per run of index 0..count-1)."""
    groups: list[list[RoleSentence]] = []
    for s in sentences:
        if not groups or s.index == 0 or s.pmid != groups[-1][-1].pmid:
            groups.append([])
        groups[-1].append(s)
    return groups


def viterbi(log_probs: np.ndarray, transitions: RoleTransitions) -> list[int]:
    """Best role sequence for one abstract: (N, C) sentence log-probabilities -> N role ids."""
    start = np.asarray(transitions.start)
    move = np.asarray(transitions.transition)
    score = start + log_probs[0]  # (C,)
    back = np.zeros(log_probs.shape, dtype=np.int64)
    for t in range(1, len(log_probs)):
        candidates = score[:, None] + move  # (C_prev, C)
        back[t] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_probs[t]
    path = [int(score.argmax())]
    for t in range(len(log_probs) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def decode_abstracts(
    sentences: Sequence[RoleSentence], probs: np.ndarray, transitions: RoleTransitions
) -> list[int]:
    """Viterbi role ids for every sentence, abstract by abstract, in the input order."""
    out: list[int] = []
    start = 0
    for abstract in by_abstract(sentences):
        block = np.log(np.clip(probs[start : start + len(abstract)], 1e-9, 1.0))
        out.extend(viterbi(block, transitions))
        start += len(abstract)
    return out
