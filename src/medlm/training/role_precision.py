"""`auto` precision for a sentence-role classifier: its torch paths scored by macro-F1.

The calibration sample is whole validation abstracts (the classifier reads each sentence's
neighbours); a path passes when its macro-F1 on the sample is within 0.005 of fp32's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.metrics import f1_score

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.lm import precision as prec

if TYPE_CHECKING:
    from medlm.training.sentence_roles import SentenceRoleClassifier

CALIBRATION_SENTENCES = 192


def validation_sample(n: int = CALIBRATION_SENTENCES) -> list[RoleSentence]:
    """The first whole validation abstracts holding at least `n` sentences in all."""
    from medlm.training.sentence_roles import load_role_sentences

    sentences = load_role_sentences("validation")
    cut = min(n, len(sentences))
    while cut < len(sentences) and sentences[cut].pmid == sentences[cut - 1].pmid:
        cut += 1
    return sentences[:cut]


def choose_classifier_path(
    classifier: SentenceRoleClassifier,
    cache_dir: Path | None,
    sample: Sequence[RoleSentence] | None = None,
) -> prec.PrecisionChoice:
    """The cached or freshly measured precision table of `classifier` (torch model)."""
    weights = prec.weights_hash(classifier.model)  # type: ignore[arg-type]
    name = f"sentence-roles:{weights}"
    key = prec.choice_key("classifier", name, weights)
    return prec.cached_choice(
        key, cache_dir, lambda: _measure(classifier, key, name, weights, sample)
    )


def _measure(
    classifier: SentenceRoleClassifier,
    key: str,
    name: str,
    weights: str,
    sample: Sequence[RoleSentence] | None,
) -> prec.PrecisionChoice:
    sentences = list(sample) if sample is not None else validation_sample()
    labels = np.array([ROLES.index(s.label) for s in sentences])

    def macro_f1(probabilities: np.ndarray, reference: np.ndarray) -> float:
        predicted = probabilities.argmax(axis=1)
        return float(f1_score(labels, predicted, average="macro", labels=range(len(ROLES))))

    runs: dict[prec.PrecisionPath, Callable[[], np.ndarray]] = {
        path: _run(classifier, sentences, path) for path in prec.candidate_paths("classifier")
    }
    f1 = ("macro-F1", macro_f1, prec.f1_bar)
    return prec.measured_choice(key, "classifier", name, weights, runs, len(sentences), f1)


def _run(
    classifier: SentenceRoleClassifier, sentences: list[RoleSentence], path: prec.PrecisionPath
) -> Callable[[], np.ndarray]:
    return lambda: classifier.probabilities(sentences, path=path).numpy()
