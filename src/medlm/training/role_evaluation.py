"""Scores of a sentence-role model on held-out abstracts, and its paired comparison with TF-IDF.

`evaluate_sentence_roles(model, ...)` labels every sentence of a split with a model folder (a
per-sentence `SentenceRoleClassifier`, torch or ONNX, or an abstract-level model), or with
`tfidf` (the baseline), and reports accuracy, macro-F1 and per-class F1. With
`baseline=True` it also fits the TF-IDF + logistic-regression baseline with the same cues on
the TRAINING abstracts (its per-role biases and decoding chosen on the VALIDATION abstracts),
labels the same sentences, and compares the two by a paired bootstrap over abstracts
(`medlm.evaluation.paired_bootstrap`). When the model reads the journal's heading style
(`medlm.training.journal_style`), the baseline gets the same cue, and `without_journal` scores
both again with every journal hidden: the case of an abstract pasted as text, which is how
the applications see one. Leakage rule: the test split is only ever scored; every
choice (biases, decoding, the baseline's fit) uses the training or validation split.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from medlm.datasets.medline_corpus import ROLES, RoleSentence, Split
from medlm.errors import InputError
from medlm.evaluation.paired_bootstrap import PairedBootstrap, paired_bootstrap
from medlm.training.role_sequence import by_abstract

TFIDF_BASELINE = (
    "TF-IDF + logistic regression with the same cues, fitted on the training abstracts; "
    "per-role biases and decoding chosen on the validation abstracts"
)
JOURNAL_CUE = "; the same cues include the journal's heading style"


class TfidfComparison(BaseModel):
    """The TF-IDF baseline on the same sentences, and the model's paired bootstrap against it."""

    model_config = ConfigDict(frozen=True)

    baseline: str = TFIDF_BASELINE
    baseline_decoding: str
    macro_f1: float
    accuracy: float
    per_class_f1: dict[str, float]
    macro_f1_difference: PairedBootstrap = Field(
        description="Model minus baseline macro-F1, resampling abstracts."
    )
    sentence_level_macro_f1: float | None = Field(
        default=None, description="The baseline's plain per-sentence argmax, when calibrated."
    )
    macro_f1_difference_to_sentence_level: PairedBootstrap | None = Field(
        default=None,
        description="Model minus the baseline's plain argmax macro-F1 (the same resamples), "
        "for when the validation-chosen decoding lowers the baseline on this split.",
    )


class RoleMetrics(BaseModel):
    """Accuracy, macro-F1 and per-class F1 of role predictions against gold labels."""

    model_config = ConfigDict(frozen=True)

    model: str
    split: str
    n_sentences: int
    n_abstracts: int
    accuracy: float
    macro_f1: float
    per_class_f1: dict[str, float]
    decoding: str = "sentence"
    sentence_level_accuracy: float | None = None
    sentence_level_macro_f1: float | None = None
    seconds: float
    reads_journal: bool = False
    vs_tfidf: TfidfComparison | None = None
    without_journal: RoleMetrics | None = Field(
        default=None,
        description="The same model and baseline with every journal hidden (pasted text).",
    )


def role_metrics(
    gold: Sequence[str], predicted: Sequence[str], *, model: str, split: str, abstracts: int,
    seconds: float,
) -> RoleMetrics:  # fmt: skip
    from sklearn.metrics import accuracy_score, f1_score

    per_class = f1_score(gold, predicted, labels=list(ROLES), average=None, zero_division=0)
    return RoleMetrics(
        model=model,
        split=split,
        n_sentences=len(gold),
        n_abstracts=abstracts,
        accuracy=round(float(accuracy_score(gold, predicted)), 4),
        macro_f1=round(float(np.mean(per_class)), 4),
        per_class_f1={role: round(float(f), 4) for role, f in zip(ROLES, per_class, strict=True)},
        seconds=round(seconds, 1),
    )


@dataclass(frozen=True)
class RoleDecisions:
    """A model's labels of the sentences: the primary ones, and per-sentence argmax beside."""

    predicted: list[str]
    decoding: str = "sentence"
    sentence_level: list[str] | None = None


@dataclass
class _Decider:
    """The decision files of a model: counted role transitions and validation calibration."""

    transitions: Any
    calibration: Any


def _decisions(
    probs: np.ndarray, sentences: Sequence[RoleSentence], decider: _Decider
) -> RoleDecisions:
    """Calibrated decisions of class probabilities, when `decider` carries a calibration."""
    from medlm.training.role_calibration import decide

    plain = [ROLES[int(i)] for i in probs.argmax(axis=1)]
    calibration = decider.calibration
    if calibration is None:
        return RoleDecisions(plain)
    bias, weight = calibration.bias, calibration.transition_weight
    ids = decide(sentences, probs, decider.transitions, bias, weight)
    decoding = "per-role biases chosen on validation"
    if weight:
        decoding += f", abstract Viterbi (transition weight {weight})"
    return RoleDecisions([ROLES[i] for i in ids], decoding, plain)


def tfidf_decisions(
    sentences: Sequence[RoleSentence],
    train: Sequence[RoleSentence],
    validation: Sequence[RoleSentence] | None,
    journal: bool = False,
) -> RoleDecisions:
    """The baseline fitted on `train`, calibrated on `validation` (when given), on `sentences`."""
    from medlm.training.role_calibration import calibrate
    from medlm.training.tfidf_roles import TfidfRoleBaseline

    fitted = TfidfRoleBaseline(journal=journal).fit(train)
    calibration = None
    if validation:
        calibration = calibrate(validation, fitted.predict_proba(validation), fitted.transitions_)
    decider = _Decider(fitted.transitions_, calibration)
    return _decisions(fitted.predict_proba(sentences), sentences, decider)


def model_decisions(
    folder: Path, sentences: Sequence[RoleSentence], on_batch: Callable[[int], Any] | None = None
) -> RoleDecisions:
    """Labels from a model folder of either kind (`load_role_model`): the per-sentence
    classifier (torch or ONNX) or the abstract-level model (torch or ONNX), each with the
    decision calibration chosen on validation when the folder has one."""
    from medlm.training.abstract_model import AbstractRoleModel, load_role_model

    if not folder.is_dir():
        raise InputError(f"--model {folder}: not a model folder (or 'tfidf')")
    model = load_role_model(folder)
    if isinstance(model, AbstractRoleModel):
        probs = model.probabilities_of(model.inputs(sentences, on_batch=on_batch))
        return _decisions(probs, sentences, _Decider(model.transitions_, model.calibration_))
    from medlm.training.sentence_roles import SentenceRoleClassifier

    assert isinstance(model, SentenceRoleClassifier)
    probs = model.probabilities(sentences, on_batch=on_batch).numpy()
    return _decisions(probs, sentences, _Decider(model.transitions, model.calibration))


def compare_with_tfidf(
    sentences: Sequence[RoleSentence],
    predicted: Sequence[str],
    train: Sequence[RoleSentence],
    validation: Sequence[RoleSentence] | None,
    *,
    resamples: int = 1_000,
    seed: int = 0,
    journal: bool = False,
) -> TfidfComparison:
    """The baseline (fitted on `train`, calibrated on `validation`) on `sentences`, and the
    paired bootstrap over abstracts of `predicted`'s macro-F1 minus the baseline's."""
    reference = tfidf_decisions(sentences, train, validation, journal)
    gold = [s.label for s in sentences]
    groups = [i for i, abstract in enumerate(by_abstract(sentences)) for _ in abstract]
    scored = role_metrics(
        gold, reference.predicted, model="tfidf", split="", abstracts=0, seconds=0.0
    )

    def against(baseline: Sequence[str]) -> PairedBootstrap:
        return paired_bootstrap(
            gold, predicted, baseline, groups, ROLES, resamples=resamples, seed=seed
        )

    plain = against(reference.sentence_level) if reference.sentence_level is not None else None
    return TfidfComparison(
        baseline=TFIDF_BASELINE + (JOURNAL_CUE if journal else ""),
        baseline_decoding=reference.decoding,
        macro_f1=scored.macro_f1,
        accuracy=scored.accuracy,
        per_class_f1=scored.per_class_f1,
        macro_f1_difference=against(reference.predicted),
        sentence_level_macro_f1=plain.baseline if plain is not None else None,
        macro_f1_difference_to_sentence_level=plain,
    )


def evaluate_sentence_roles(
    model: str,
    *,
    split: Split = "test",
    sentences: Sequence[RoleSentence] | None = None,
    train: Sequence[RoleSentence] | None = None,
    validation: Sequence[RoleSentence] | None = None,
    on_batch: Callable[[int], Any] | None = None,
    baseline: bool = False,
    resamples: int = 1_000,
    seed: int = 0,
) -> RoleMetrics:
    """Score a model folder, or `tfidf`, on `split` (see the module docstring).

    `baseline=True` adds `vs_tfidf`: the baseline on the same sentences and the paired
    bootstrap (`resamples`, `seed`) of the macro-F1 difference over abstracts.
    """
    started = time.perf_counter()
    if model != "tfidf" and not Path(model).is_dir():
        raise InputError(f"--model {model}: not a model folder (or 'tfidf')")
    from medlm.training.sentence_roles import load_role_sentences

    gold_sentences = list(sentences) if sentences is not None else load_role_sentences(split)
    if not gold_sentences:
        raise InputError(f"no sentences in split {split!r}")
    fit_on: list[RoleSentence] = []
    if model == "tfidf" or baseline:
        fit_on = list(train) if train is not None else load_role_sentences("train")
        if validation is None and sentences is None and split == "test":
            validation = load_role_sentences("validation")
    journal = model != "tfidf" and reads_journal(Path(model))
    result = _scored(
        model, split, gold_sentences, fit_on, validation, on_batch, baseline=baseline,
        journal=journal, resamples=resamples, seed=seed, started=started,
    )  # fmt: skip
    if journal:
        hidden = [s.model_copy(update={"journal": ""}) for s in gold_sentences]
        unknown = _scored(
            model, split, hidden, fit_on, validation, on_batch, baseline=baseline,
            journal=False, resamples=resamples, seed=seed, started=started,
        )  # fmt: skip
        seconds = round(time.perf_counter() - started, 1)
        result = result.model_copy(update={"without_journal": unknown, "seconds": seconds})
    return result


def reads_journal(folder: Path) -> bool:
    """True when the model in `folder` reads the journal's heading style."""
    from medlm.training.abstract_model import SETTINGS_FILE

    path = folder / SETTINGS_FILE
    return path.is_file() and bool(json.loads(path.read_text()).get("journal", False))


def _scored(
    model: str,
    split: str,
    gold_sentences: Sequence[RoleSentence],
    fit_on: Sequence[RoleSentence],
    validation: Sequence[RoleSentence] | None,
    on_batch: Callable[[int], Any] | None,
    *,
    baseline: bool,
    journal: bool,
    resamples: int,
    seed: int,
    started: float,
) -> RoleMetrics:
    if model == "tfidf":
        decisions = tfidf_decisions(gold_sentences, fit_on, validation)
    else:
        decisions = model_decisions(Path(model), gold_sentences, on_batch)
    gold = [s.label for s in gold_sentences]
    abstracts = by_abstract(gold_sentences)
    seconds = time.perf_counter() - started

    def metrics(predicted: list[str]) -> RoleMetrics:
        return role_metrics(
            gold, predicted, model=model, split=split, abstracts=len(abstracts), seconds=seconds
        )

    result = metrics(decisions.predicted).model_copy(
        update={"decoding": decisions.decoding, "reads_journal": journal}
    )
    if decisions.sentence_level is not None:
        plain = metrics(decisions.sentence_level)
        result = result.model_copy(
            update={
                "sentence_level_accuracy": plain.accuracy,
                "sentence_level_macro_f1": plain.macro_f1,
            }
        )
    if baseline and model != "tfidf":
        comparison = compare_with_tfidf(
            gold_sentences, decisions.predicted, fit_on, validation,
            resamples=resamples, seed=seed, journal=journal,
        )  # fmt: skip
        seconds = round(time.perf_counter() - started, 1)
        result = result.model_copy(update={"vs_tfidf": comparison, "seconds": seconds})
    return result
