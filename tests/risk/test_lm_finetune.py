"""The fine-tuned record-as-text risk classifier: bf16 training, validation-only calibration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from medlm.errors import InputError, NotFittedError
from medlm.lm.checkpoint import save_checkpoint
from medlm.lm.config import TransformerConfig
from medlm.lm.models import MaskedLanguageModel
from medlm.lm.tokenizer import train_wordpiece
from medlm.risk import lm_finetune
from medlm.risk.lm_family import row_text
from medlm.risk.lm_finetune import FineTunedTextClassifier
from medlm.training import acceleration

UNITS = {"Glucose": "mg/dL", "BMI": "kg/m2"}


def _patients(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Hand-built diabetes-clinic rows: a fasting glucose of 126 mg/dL or more marks the event
    (the diagnostic threshold), BMI varies independently, some glucose values are missing."""
    rng = np.random.default_rng(seed)
    y = np.array([i % 2 for i in range(n)])
    glucose = np.where(y == 1, rng.integers(140, 199, n), rng.integers(70, 110, n)).astype(float)
    glucose[::7] = np.nan
    bmi = rng.uniform(19.0, 40.0, n).round(1)
    return pd.DataFrame({"Glucose": glucose, "BMI": bmi}), y


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny models run fastest on one thread (no thread hand-offs on a busy 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame, _ = _patients(60, seed=9)
    texts = [row_text(r, UNITS) for r in frame.to_dict(orient="records")]
    tokenizer = train_wordpiece(texts * 3, vocab_size=120, max_length=48)
    config = TransformerConfig(
        vocab_size=tokenizer.vocab_size,
        d_model=32,
        n_heads=4,
        n_layers=2,
        d_ff=64,
        max_length=48,
        dropout=0.0,
        attention_dropout=0.0,
    )
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("encoder")
    return save_checkpoint(folder, MaskedLanguageModel(config), tokenizer)


def _classifier(encoder: Path, **overrides: Any) -> FineTunedTextClassifier:
    settings: dict[str, Any] = {
        "units": UNITS,
        "epochs": 4,
        "batch_size": 8,
        "learning_rate": 3e-3,
        "max_length": 48,
    }
    settings.update(overrides)
    return FineTunedTextClassifier(str(encoder), **settings)


def test_trains_in_bf16_where_supported_and_the_loss_falls(
    tiny_encoder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(acceleration, "bf16_supported", lambda device: True)
    X, y = _patients(32, seed=1)
    model = _classifier(tiny_encoder, precision="auto").fit(X, y)
    assert model.precision_used_ == "bf16"
    assert model.history_[-1][0] < model.history_[0][0]
    p = model.predict_proba(X)
    assert p.shape == (32, 2) and np.allclose(p.sum(axis=1), 1.0)


def test_falls_back_to_fp32_without_bf16(
    tiny_encoder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(acceleration, "bf16_supported", lambda device: False)
    X, y = _patients(16, seed=2)
    assert _classifier(tiny_encoder, epochs=1).fit(X, y).precision_used_ == "fp32"


def test_calibration_sees_the_validation_rows_only_never_the_test_rows(
    tiny_encoder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[np.ndarray, np.ndarray]] = []
    real = lm_finetune.fit_calibrator

    def spy(method: Any, log_odds: np.ndarray, y: np.ndarray) -> Any:
        seen.append((log_odds.copy(), y.copy()))
        return real(method, log_odds, y)

    monkeypatch.setattr(lm_finetune, "fit_calibrator", spy)
    X_train, y_train = _patients(24, seed=3)
    X_val, y_val = _patients(12, seed=4)
    X_test, _ = _patients(12, seed=5)
    model = _classifier(tiny_encoder, epochs=2).fit(X_train, y_train, validation=(X_val, y_val))
    model.predict_proba(X_test)
    assert len(seen) == 1
    log_odds, labels = seen[0]
    assert np.array_equal(labels, y_val)
    assert np.allclose(log_odds, model.decision_function(X_val), atol=1e-6)
    assert not np.allclose(log_odds, model.decision_function(X_test), atol=1e-3)


def test_without_validation_rows_a_stratified_fifth_is_held_out(tiny_encoder: Path) -> None:
    X, y = _patients(30, seed=6)
    model = _classifier(tiny_encoder, epochs=1).fit(X, y)
    assert (model.n_fit_, model.n_validation_) == (24, 6)


def test_calibrated_probability_is_a_monotone_map_of_the_log_odds(tiny_encoder: Path) -> None:
    X, y = _patients(24, seed=7)
    model = _classifier(tiny_encoder, epochs=2, calibration="sigmoid").fit(X, y)
    raw = model.decision_function(X)
    calibrated = model.predict_proba(X)[:, 1]
    steps = np.diff(calibrated[np.argsort(raw)])
    assert np.all(steps >= -1e-6) or np.all(steps <= 1e-6)
    assert calibrated.min() < calibrated.max()


def test_one_outcome_only_is_refused(tiny_encoder: Path) -> None:
    X, _ = _patients(10, seed=8)
    with pytest.raises(InputError, match="both outcomes"):
        _classifier(tiny_encoder).fit(X, np.zeros(10, dtype=int))


def test_predicting_before_fit_is_refused(tiny_encoder: Path) -> None:
    X, _ = _patients(4, seed=8)
    with pytest.raises(NotFittedError):
        _classifier(tiny_encoder).predict_proba(X)


def test_recalibration_never_reverses_the_ranking_when_validation_scores_are_reversed() -> None:
    log_odds = np.linspace(-3, 3, 40)
    y = (log_odds < 0).astype(int)  # on these rows a higher score means less risk
    calibrator = lm_finetune.fit_calibrator("sigmoid", log_odds, y)
    probabilities = lm_finetune.apply_calibrator(calibrator, np.linspace(-4, 4, 50))
    assert np.all(np.diff(probabilities) >= 0)
