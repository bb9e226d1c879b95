"""Decision calibration of sentence roles on validation abstracts (synthetic data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from roles_helpers import synthetic_abstracts

from medlm.training.role_calibration import RoleCalibration, calibrate, decide
from medlm.training.role_sequence import RoleTransitions


def _underconfident_objective(n: int) -> tuple[list, np.ndarray]:
    """SYNTHETIC probabilities where OBJECTIVE sentences are always scored just below BACKGROUND."""
    sentences = synthetic_abstracts(n, "validation")
    probs = np.full((len(sentences), 5), 0.02)
    for i, s in enumerate(sentences):
        probs[i, s.index] = 0.9
        if s.index == 1:
            probs[i] = [0.5, 0.42, 0.04, 0.02, 0.02]
    return sentences, probs


def test_a_bias_learned_on_validation_recovers_a_systematically_underscored_role() -> None:
    sentences, probs = _underconfident_objective(10)
    assert decide(sentences, probs, None, [0.0] * 5, 0.0)[1] == 0  # argmax says BACKGROUND
    calibration = calibrate(sentences, probs, None)
    assert calibration.validation_macro_f1 == 1.0
    assert calibration.validation_macro_f1_uncalibrated < 0.9
    assert calibration.bias[1] > calibration.bias[0]
    assert calibration.transition_weight == 0.0


def test_no_bias_is_chosen_when_argmax_is_already_right(tmp_path: Path) -> None:
    sentences = synthetic_abstracts(5, "validation")
    probs = np.full((len(sentences), 5), 0.02)
    for i, s in enumerate(sentences):
        probs[i, s.index] = 0.9
    calibration = calibrate(sentences, probs, RoleTransitions.count(sentences))
    assert calibration.bias == [0.0] * 5 and calibration.transition_weight == 0.0
    calibration.save(tmp_path)
    assert RoleCalibration.load(tmp_path) == calibration
    assert RoleCalibration.load(tmp_path / "missing") is None


def test_transition_weight_is_used_when_decoding_helps() -> None:
    sentences = synthetic_abstracts(10, "validation")
    probs = np.full((len(sentences), 5), 0.2)  # uninformative sentences: only order helps
    calibration = calibrate(sentences, probs, RoleTransitions.count(synthetic_abstracts(20)))
    assert calibration.transition_weight > 0 and calibration.validation_macro_f1 == 1.0
