"""Inputs of the abstract-level role model: sentence vectors (cached) and cheap features.

Per sentence the contextual model gets the encoder's sentence vector and a few features:
relative position, first/last flags, the abstract's and the sentence's length (log words), and
optionally the TF-IDF + logistic-regression baseline's role probabilities (which may themselves
read extra columns, the journal's heading style), and optionally a second such classifier's,
whose view of the sentence is extended (`LexicalRoles(extended=True)`) by its character
2-5-grams (digits, "%", "=", "<" and stems such as "randomi" that word tokens drop or split)
and its first three words tagged by position ("To determine", "In conclusion"). Leakage rule
for these probabilities: on the training sentences they are CROSS-FITTED (each fold of whole
training abstracts is scored by a classifier fitted on the other folds), so the context model
never sees a probability from a classifier that was trained on the same sentence; every other
split is scored by the classifier fitted on all training sentences.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.errors import InputError
from medlm.lm.encoding import TextEncoder

logger = logging.getLogger(__name__)

POSITION_FEATURES = 5


@dataclass(frozen=True)
class AbstractInputs:
    """Sentences (grouped by abstract, in order) with their vectors and features."""

    sentences: Sequence[RoleSentence]
    vectors: np.ndarray  # (N, E) float32
    features: np.ndarray  # (N, F) float32
    spans: list[tuple[int, int]]  # [start, end) of each abstract in `sentences`


def abstract_spans(sentences: Sequence[RoleSentence]) -> list[tuple[int, int]]:
    """[start, end) of each abstract: a new one starts at index 0 or a new PMID."""
    starts = [
        i
        for i, s in enumerate(sentences)
        if i == 0 or s.index == 0 or s.pmid != sentences[i - 1].pmid
    ]
    return list(zip(starts, [*starts[1:], len(sentences)], strict=True))


def position_features(sentences: Sequence[RoleSentence]) -> np.ndarray:
    """(N, 5): relative position, first, last, log abstract length, log sentence length."""
    rows = np.zeros((len(sentences), POSITION_FEATURES), dtype=np.float32)
    for i, s in enumerate(sentences):
        rows[i] = (
            s.index / max(s.count - 1, 1),
            float(s.index == 0),
            float(s.index == s.count - 1),
            np.log1p(s.count) / 4.0,
            np.log1p(len(s.text.split())) / 4.0,
        )
    return rows


def opening_words(text: str, count: int = 3) -> str:
    """The first `count` words, lower-cased and tagged with their place: "To determine
    whether" -> "o0_to o1_determine o2_whether" (a vocabulary of its own for openings)."""
    return " ".join(f"o{i}_{word}" for i, word in enumerate(text.lower().split()[:count]))


class LexicalRoles:
    """The cues of `tfidf_roles` (TF-IDF of the sentence's 1-2-grams and of each neighbour's
    words, relative position and first/last flags) with a linear classifier trained by SGD
    on the log-loss: the baseline's features, fitted in seconds rather than the minutes its
    LBFGS solver needs on this CPU, which matters when it is fitted once per fold. The
    vectorizers are fitted once on the training texts (no labels), the classifier per fold.
    `extended=True` adds TF-IDF of the sentence's character 2-5-grams (within words, as
    scikit-learn's "char_wb" analyser cuts them) and of its first three words, each tagged
    with its place (`opening_words`), to those features."""

    extended: bool = False  # classifiers saved before the option existed read words only

    def __init__(
        self, alpha: float = 2e-5, epochs: int = 8, seed: int = 0, extended: bool = False
    ) -> None:
        self.alpha = alpha
        self.epochs = epochs
        self.seed = seed
        self.extended = extended

    def fit_vectorizers(self, sentences: Sequence[RoleSentence]) -> LexicalRoles:
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [s.text for s in sentences]
        self.sentence_vectorizer_ = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, max_features=50_000, sublinear_tf=True
        ).fit(texts)
        self.context_vectorizer_ = TfidfVectorizer(
            min_df=2, max_features=25_000, sublinear_tf=True
        ).fit(texts)
        if self.extended:
            self.character_vectorizer_ = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=150_000,
                sublinear_tf=True,
            ).fit(texts)  # fmt: skip
            self.opening_vectorizer_ = TfidfVectorizer(
                token_pattern=r"\S+", min_df=2, sublinear_tf=True
            ).fit([opening_words(t) for t in texts])
        return self

    def features(self, sentences: Sequence[RoleSentence], extra: np.ndarray | None = None) -> Any:
        """The sparse features; `extra` (N, K) dense columns are appended (the journal's
        style), and must then be given at every call, as they were at fitting."""
        from scipy import sparse

        texts = [s.text for s in sentences]
        blocks = [
            self.sentence_vectorizer_.transform(texts),
            0.5 * self.context_vectorizer_.transform([s.previous for s in sentences]),
            0.5 * self.context_vectorizer_.transform([s.next for s in sentences]),
            sparse.csr_matrix(position_features(sentences)[:, :3]),
        ]
        if self.extended:
            blocks[1:1] = [
                self.character_vectorizer_.transform(texts),
                self.opening_vectorizer_.transform([opening_words(t) for t in texts]),
            ]
        if extra is not None:
            blocks.append(sparse.csr_matrix(extra))
        return sparse.hstack(blocks).tocsr()

    def fit_features(self, features: Any, labels: np.ndarray) -> LexicalRoles:
        from sklearn.linear_model import SGDClassifier

        self.model_ = SGDClassifier(
            loss="log_loss", alpha=self.alpha, max_iter=self.epochs, tol=None,
            random_state=self.seed,
        ).fit(features, labels)  # fmt: skip
        return self

    def proba_of(self, features: Any) -> np.ndarray:
        probs = np.zeros((features.shape[0], len(ROLES)), dtype=np.float32)
        probs[:, self.model_.classes_] = self.model_.predict_proba(features)
        return probs

    def predict_proba(
        self, sentences: Sequence[RoleSentence], extra: np.ndarray | None = None
    ) -> np.ndarray:
        """(N, len(ROLES)) probabilities, columns in ROLES order."""
        return self.proba_of(self.features(sentences, extra))


def crossfit_lexical(
    train: Sequence[RoleSentence],
    folds: int,
    seed: int,
    on_fit: Callable[[], Any] | None = None,
    extra: np.ndarray | None = None,
    extended: bool = False,
) -> tuple[np.ndarray, LexicalRoles]:
    """Out-of-fold lexical probabilities of the training sentences (folds of whole
    abstracts, seeded) and the classifier fitted on all of them, for the other splits.
    `extra`: dense columns appended to every training sentence's features (see `features`);
    `extended`: the classifier's extended view (see `LexicalRoles`)."""
    pmids = sorted({s.pmid for s in train})
    order = torch.randperm(len(pmids), generator=torch.Generator().manual_seed(seed)).tolist()
    fold_by_pmid = {pmids[j]: rank % folds for rank, j in enumerate(order)}
    fold_of = np.asarray([fold_by_pmid[s.pmid] for s in train])
    full = LexicalRoles(seed=seed, extended=extended).fit_vectorizers(train)
    features = full.features(train, extra)
    labels = np.asarray([ROLES.index(s.label) for s in train])
    probs = np.zeros((len(train), len(ROLES)), dtype=np.float32)
    for k in range(folds):
        held = np.flatnonzero(fold_of == k)
        rest = np.flatnonzero(fold_of != k)
        fold = LexicalRoles(seed=seed).fit_features(features[rest], labels[rest])
        probs[held] = fold.proba_of(features[held])
        if on_fit is not None:
            on_fit()
    full.fit_features(features, labels)
    if on_fit is not None:
        on_fit()
    return probs, full


class LexicalViews:
    """The cross-fitted TF-IDF classifiers whose probabilities the contextual model reads:
    the words view (`LexicalRoles()`) and, with `views=2`, the extended view
    (`LexicalRoles(extended=True)`), five columns each. Saved one joblib file per view; a
    folder saved before the extended view existed holds the first file only."""

    FILES = ("lexical.joblib", "lexical_extended.joblib")

    def __init__(self, views: int = 1, folds: int = 5, seed: int = 0) -> None:
        if views not in (1, 2):
            raise InputError(f"lexical_views={views}: 1 (words) or 2 (words, extended)")
        self.views = views
        self.folds = folds
        self.seed = seed
        self.classifiers_: list[LexicalRoles]

    def fits(self) -> int:
        """How many classifier fits `crossfit` makes (for a progress bar)."""
        return (self.folds + 1) * self.views

    def crossfit(
        self,
        train: Sequence[RoleSentence],
        extra: np.ndarray | None = None,
        on_fit: Callable[[], Any] | None = None,
    ) -> np.ndarray:
        """Fit every view on `train`; the training sentences' out-of-fold probabilities,
        (N, 5 * views), views side by side (see `crossfit_lexical`)."""
        probs, self.classifiers_ = [], []
        for extended in (False, True)[: self.views]:
            out_of_fold, fitted = crossfit_lexical(
                train, self.folds, self.seed, on_fit=on_fit, extra=extra, extended=extended
            )
            probs.append(out_of_fold)
            self.classifiers_.append(fitted)
        return np.concatenate(probs, axis=1)

    def predict_proba(
        self, sentences: Sequence[RoleSentence], extra: np.ndarray | None = None
    ) -> np.ndarray:
        """(N, 5 * views) probabilities from the classifiers fitted on all training sentences."""
        probs = [c.predict_proba(sentences, extra) for c in self.classifiers_]
        return np.concatenate(probs, axis=1)

    def save(self, folder: Path) -> None:
        import joblib

        for name, classifier in zip(self.FILES[: self.views], self.classifiers_, strict=True):
            joblib.dump(classifier, folder / name)

    @classmethod
    def load(cls, folder: Path, views: int, seed: int = 0) -> LexicalViews:
        import joblib

        out = cls(views, seed=seed)
        out.classifiers_ = [joblib.load(folder / name) for name in cls.FILES[:views]]
        return out


def vector_cache_key(encoder: TextEncoder, precision: str, texts: Sequence[str]) -> str:
    """Names the cached vectors by encoder, length limit, precision and the exact texts."""
    digest = hashlib.sha256(f"{encoder.name}|{encoder.max_length}|{precision}".encode())
    for text in texts:
        digest.update(text.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def sentence_vectors(
    encoder: TextEncoder,
    texts: Sequence[str],
    *,
    precision: str = "fp32",
    cache_dir: Path | None = None,
    batch_size: int = 64,
    on_batch: Callable[[int], Any] | None = None,
) -> np.ndarray:
    """(N, E) sentence vectors, bf16 autocast when `precision == "bf16"`, cached on disk
    under `cache_dir` (when given) by `vector_cache_key`."""
    path = None
    if cache_dir is not None:
        path = cache_dir / f"vectors-{vector_cache_key(encoder, precision, texts)}.npy"
        if path.is_file():
            logger.info("sentence vectors from cache %s", path)
            if on_batch is not None:
                on_batch(len(texts))
            return np.load(path)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
        vectors = encoder.embed(texts, batch_size=batch_size, on_batch=on_batch)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return vectors
