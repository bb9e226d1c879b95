"""TF-IDF + logistic regression baseline for sentence roles, with the same position cues.

Features: word 1–2-gram TF-IDF of the sentence, TF-IDF of the previous and next sentences
(separate vocabularies, so "context" words stay apart from the sentence's own), and the
relative position as ten decile indicators plus first/last flags. The neural classifier sees
the same information (position words and truncated neighbours), so the two compare like
with like. With `journal=True` it also gets the journal's heading style
(`medlm.training.journal_style`, fitted and left-out exactly as for the abstract-level
model), for comparing with a model that reads that cue.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.errors import NotFittedError
from medlm.training.role_sequence import RoleTransitions


def _position_features(sentences: Sequence[RoleSentence]) -> sparse.csr_matrix:
    rows = np.zeros((len(sentences), 12), dtype=np.float64)
    for i, s in enumerate(sentences):
        rows[i, min(int(10 * s.index / max(s.count, 1)), 9)] = 1.0
        rows[i, 10] = float(s.index == 0)
        rows[i, 11] = float(s.index == s.count - 1)
    return sparse.csr_matrix(rows)


class TfidfRoleBaseline:
    """scikit-learn style: `fit(sentences)` returns self; `predict` gives role labels."""

    def __init__(
        self, C: float = 4.0, max_features: int = 50_000, journal: bool = False, seed: int = 0
    ) -> None:
        self.C = C
        self.max_features = max_features
        self.journal = journal
        self.seed = seed

    def _features(
        self, sentences: Sequence[RoleSentence], training: bool = False
    ) -> sparse.csr_matrix:
        blocks = [
            self.sentence_vectorizer_.transform([s.text for s in sentences]),
            0.5 * self.context_vectorizer_.transform([s.previous for s in sentences]),
            0.5 * self.context_vectorizer_.transform([s.next for s in sentences]),
            _position_features(sentences),
        ]
        if self.journal:
            style = self.journal_style_.features(sentences, training=training)
            blocks.append(sparse.csr_matrix(style))
        return sparse.hstack(blocks).tocsr()

    def fit(self, sentences: Sequence[RoleSentence]) -> TfidfRoleBaseline:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts = [s.text for s in sentences]
        self.sentence_vectorizer_ = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, max_features=self.max_features, sublinear_tf=True
        ).fit(texts)
        self.context_vectorizer_ = TfidfVectorizer(
            min_df=2, max_features=self.max_features // 2, sublinear_tf=True
        ).fit(texts)
        if self.journal:
            from medlm.training.journal_style import JournalStyle

            self.journal_style_ = JournalStyle(seed=self.seed).fit(sentences)
        self.model_ = LogisticRegression(C=self.C, max_iter=2_000).fit(
            self._features(sentences, training=True), [s.label for s in sentences]
        )
        self.transitions_ = RoleTransitions.count(sentences)
        return self

    def predict_proba(self, sentences: Sequence[RoleSentence]) -> np.ndarray:
        """(N, len(ROLES)) class probabilities, columns in ROLES order."""
        if not hasattr(self, "model_"):
            raise NotFittedError("TfidfRoleBaseline.predict_proba called before fit")
        probs = self.model_.predict_proba(self._features(sentences))
        columns = [list(self.model_.classes_).index(role) for role in ROLES]
        return np.asarray(probs[:, columns])

    def predict(self, sentences: Sequence[RoleSentence]) -> list[str]:
        if not hasattr(self, "model_"):
            raise NotFittedError("TfidfRoleBaseline.predict called before fit")
        return [str(label) for label in self.model_.predict(self._features(sentences))]
