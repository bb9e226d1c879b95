"""Decision calibration of a sentence-role classifier on the validation abstracts.

Macro-F1 weighs the rare OBJECTIVE class as much as the frequent RESULTS class, while
cross-entropy training favours frequent classes. `calibrate` therefore chooses, on the
VALIDATION split only, (1) one additive log-probability bias per role (coordinate search)
and (2) the weight given to the learned role transitions when whole abstracts are decoded
(0 = per-sentence argmax). The choice is saved with the model (`role_calibration.json`) and
used by `SentenceRoleClassifier` and `medlm lm evaluate`; the test split is never looked at.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from medlm.datasets.medline_corpus import ROLES, RoleSentence
from medlm.training.role_sequence import RoleTransitions, decode_abstracts

CALIBRATION_FILE = "role_calibration.json"
BIAS_GRID = tuple(np.round(np.arange(-1.5, 1.51, 0.25), 2).tolist())
TRANSITION_WEIGHTS = (0.0, 0.25, 0.5, 1.0)


class RoleCalibration(BaseModel):
    """Per-role log-probability biases and the transition weight, chosen on validation."""

    model_config = ConfigDict(frozen=True)

    bias: list[float]
    transition_weight: float
    validation_macro_f1: float
    validation_macro_f1_uncalibrated: float

    def save(self, folder: Path) -> None:
        (folder / CALIBRATION_FILE).write_text(self.model_dump_json(indent=2))

    @classmethod
    def load(cls, folder: Path) -> RoleCalibration | None:
        path = folder / CALIBRATION_FILE
        return cls.model_validate(json.loads(path.read_text())) if path.exists() else None


def decide(
    sentences: Sequence[RoleSentence],
    probs: np.ndarray,
    transitions: RoleTransitions | None,
    bias: Sequence[float],
    transition_weight: float,
) -> list[int]:
    """Role ids after adding `bias` to the log-probabilities and (optionally) decoding."""
    scores = np.log(np.clip(probs, 1e-9, 1.0)) + np.asarray(bias)
    if transitions is None or transition_weight == 0:
        return [int(i) for i in scores.argmax(axis=1)]
    weighted = RoleTransitions(
        start=(transition_weight * np.asarray(transitions.start)).tolist(),
        transition=(transition_weight * np.asarray(transitions.transition)).tolist(),
    )
    return decode_abstracts(sentences, np.exp(scores), weighted)


def _macro_f1(gold: np.ndarray, predicted: Sequence[int]) -> float:
    from sklearn.metrics import f1_score

    labels = list(range(len(ROLES)))
    return float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0))


def calibrate(
    sentences: Sequence[RoleSentence], probs: np.ndarray, transitions: RoleTransitions | None
) -> RoleCalibration:
    """Choose biases (two rounds of coordinate search) and the transition weight."""
    gold = np.asarray([ROLES.index(s.label) for s in sentences])
    bias = [0.0] * len(ROLES)
    base = _macro_f1(gold, decide(sentences, probs, None, bias, 0.0))
    for _round in range(2):
        for role in range(len(ROLES)):
            trials = {
                value: _macro_f1(
                    gold,
                    decide(sentences, probs, None, [*bias[:role], value, *bias[role + 1 :]], 0.0),
                )
                for value in BIAS_GRID
            }
            bias[role] = max(trials, key=lambda v: (trials[v], -abs(v)))
    weights = TRANSITION_WEIGHTS if transitions is not None else (0.0,)
    scored = {w: _macro_f1(gold, decide(sentences, probs, transitions, bias, w)) for w in weights}
    weight = max(scored, key=lambda w: (scored[w], -w))
    return RoleCalibration(
        bias=bias,
        transition_weight=weight,
        validation_macro_f1=round(scored[weight], 4),
        validation_macro_f1_uncalibrated=round(base, 4),
    )
