"""The fine-tuned language-model risk classifier: each row written as text (as in the lm family),
the whole encoder fine-tuned end to end with a two-class head, then recalibrated.

Where the frozen lm family (`medlm.risk.lm_family`) fits a logistic regression on fixed MiniLM
embeddings, this estimator trains every encoder weight through medlm's `Trainer`, in bf16
autocast where the CPU supports it (`precision="auto"`). Leakage rules:
- The training rows are split (stratified, seeded) into a fitting part and a validation part,
  or the caller passes its own validation rows. Only the fitting part trains the weights.
- The validation part alone chooses the epoch (the lowest validation loss; the weights of that
  epoch are kept) and fits the recalibration map of the log-odds ("sigmoid" = Platt,
  "isotonic"). A test split never reaches `fit`, so nothing about it is chosen.
Missing values are left out of the text (the encoder never sees an imputed number); zeros in
the `zero_missing` columns (physically impossible values) are read as missing first.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from medlm.errors import InputError, NotFittedError
from medlm.risk.lm_family import row_text
from medlm.risk.pipeline import ZeroAsMissing
from medlm.training.batching import Example
from medlm.training.callbacks import Callback, EpochRecord

logger = logging.getLogger(__name__)

Calibration = Literal["sigmoid", "isotonic", "none"]


class KeepBestWeights(Callback):
    """Copy the model's weights after each epoch whose validation loss is the lowest so far."""

    def __init__(self, model: torch.nn.Module) -> None:
        self.model = model
        self.best_loss: float | None = None
        self.best_epoch: int | None = None
        self.weights: dict[str, torch.Tensor] | None = None

    def on_epoch_end(self, trainer: Any, record: EpochRecord) -> None:
        loss = record.val_loss if record.val_loss is not None else record.train_loss
        if self.best_loss is None or loss < self.best_loss:
            self.best_loss, self.best_epoch = loss, record.epoch
            self.weights = copy.deepcopy(self.model.state_dict())


def fit_calibrator(method: Calibration, log_odds: np.ndarray, y: np.ndarray) -> Any:
    """A map from raw log-odds to probabilities, fitted on these (validation) rows only."""
    if method == "sigmoid":
        platt = LogisticRegression(C=1e6, max_iter=1000).fit(log_odds.reshape(-1, 1), y)
        if platt.coef_[0, 0] > 0:
            return platt
        # A recalibration map must never reverse the model's ranking: a non-positive slope
        # (the model's scores do not rank the outcome on these rows) would turn it upside down
        # on new rows, so the non-decreasing isotonic map is fitted instead.
        logger.warning(
            "Platt recalibration has slope %.3f on the validation rows: the fine-tuned model's "
            "scores do not rank the outcome there; a non-decreasing isotonic map is used instead",
            platt.coef_[0, 0],
        )
        method = "isotonic"
    if method == "isotonic":
        return IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0, increasing=True).fit(
            log_odds, y
        )
    return None


def apply_calibrator(calibrator: Any, log_odds: np.ndarray) -> np.ndarray:
    if calibrator is None:
        return np.asarray(1.0 / (1.0 + np.exp(-log_odds)))
    if isinstance(calibrator, LogisticRegression):
        return np.asarray(calibrator.predict_proba(log_odds.reshape(-1, 1))[:, 1])
    return np.asarray(calibrator.predict(log_odds))


class FineTunedTextClassifier(ClassifierMixin, BaseEstimator):
    """DataFrame rows → calibrated probabilities from a fine-tuned encoder; see the module doc."""

    def __init__(
        self,
        model: str = "minilm",
        units: dict[str, str] | None = None,
        zero_missing: Sequence[str] = (),
        *,
        epochs: int = 4,
        batch_size: int = 16,
        learning_rate: float = 3e-5,
        weight_decay: float = 0.01,
        warmup_fraction: float = 0.1,
        precision: Literal["auto", "fp32", "bf16"] = "auto",
        validation_fraction: float = 0.2,
        calibration: Calibration = "sigmoid",
        max_length: int = 128,
        random_state: int = 0,
    ) -> None:
        self.model = model
        self.units = units
        self.zero_missing = zero_missing
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.warmup_fraction = warmup_fraction
        self.precision = precision
        self.validation_fraction = validation_fraction
        self.calibration = calibration
        self.max_length = max_length
        self.random_state = random_state

    # ---- fitting -------------------------------------------------------------------------
    def fit(
        self,
        X: pd.DataFrame,
        y: Any,
        *,
        validation: tuple[pd.DataFrame, Any] | None = None,
    ) -> FineTunedTextClassifier:
        """Fine-tune on `X` (less a validation part unless `validation` is given); returns self."""
        y_arr = np.asarray(y, dtype=int)
        if len(X) != len(y_arr):
            raise InputError(f"FineTunedTextClassifier.fit: {len(X)} rows but {len(y_arr)} labels")
        if set(np.unique(y_arr)) != {0, 1}:
            raise InputError("FineTunedTextClassifier.fit: y needs both outcomes (0 and 1)")
        if validation is None:
            fit_idx, val_idx = train_test_split(
                np.arange(len(X)),
                test_size=self.validation_fraction,
                stratify=y_arr,
                random_state=self.random_state,
            )
            X_fit, y_fit = X.iloc[fit_idx], y_arr[fit_idx]
            X_val, y_val = X.iloc[val_idx], y_arr[val_idx]
        else:
            X_fit, y_fit = X, y_arr
            X_val, y_val = validation[0], np.asarray(validation[1], dtype=int)
        self._train(X_fit, y_fit, X_val, y_val)
        val_log_odds = self.decision_function(X_val)
        self.calibrator_ = fit_calibrator(self.calibration, val_log_odds, y_val)
        self.n_fit_, self.n_validation_ = len(X_fit), len(X_val)
        self.classes_ = np.array([0, 1])
        return self

    def _train(
        self, X_fit: pd.DataFrame, y_fit: np.ndarray, X_val: pd.DataFrame, y_val: np.ndarray
    ) -> None:
        from medlm.lm.models import SequenceClassifier
        from medlm.lm.pretrained import load_pretrained
        from medlm.training.config import TrainingSettings
        from medlm.training.objectives import Classification
        from medlm.training.trainer import Trainer

        encoder, self.tokenizer_ = load_pretrained(self.model)
        torch.manual_seed(self.random_state)  # the new head's initial weights
        self.model_ = SequenceClassifier.from_encoder(encoder, num_labels=2)
        train = self._examples(X_fit, y_fit)
        steps = -(-len(train) // self.batch_size) * self.epochs
        settings = TrainingSettings(
            epochs=self.epochs,
            batch_size=min(self.batch_size, len(train)),
            learning_rate=self.learning_rate,
            weight_decay=self.weight_decay,
            warmup_steps=int(self.warmup_fraction * steps),
            precision=self.precision,
            seed=self.random_state,
            eval_batch_size=64,
            device="cpu",
        )
        keep = KeepBestWeights(self.model_)
        trainer = Trainer(settings, Classification(self.tokenizer_.pad_id), callbacks=[keep])
        result = trainer.fit(self.model_, train, self._examples(X_val, y_val))
        if keep.weights is not None:
            self.model_.load_state_dict(keep.weights)
        self.model_.eval()
        self.precision_used_ = trainer.precision_used
        self.best_epoch_ = keep.best_epoch
        self.history_ = [(r.train_loss, r.val_loss) for r in result.history]
        logger.info(
            "fine-tuned %s on %d rows (%s); best epoch %s by validation loss",
            self.model,
            len(train),
            self.precision_used_,
            None if self.best_epoch_ is None else self.best_epoch_ + 1,
        )

    def _texts(self, X: pd.DataFrame) -> list[str]:
        rows = ZeroAsMissing(self.zero_missing).transform(X).to_dict(orient="records")
        return [row_text(r, self.units) for r in rows]

    def _examples(self, X: pd.DataFrame, y: np.ndarray) -> list[Example]:
        ids = self.tokenizer_.encode(self._texts(X), self.max_length)
        return [Example(i, int(label)) for i, label in zip(ids, y, strict=True)]

    # ---- prediction ----------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError("FineTunedTextClassifier is not fitted; call fit() first")

    @torch.no_grad()
    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """(N,) raw log-odds of outcome 1 (logit difference), before recalibration."""
        from medlm.lm.models import Batch
        from medlm.training.acceleration import autocast

        self._check_fitted()
        ids = self.tokenizer_.encode(self._texts(X), self.max_length)
        device = torch.device("cpu")
        out = []
        for start in range(0, len(ids), 64):
            input_ids, mask = self.tokenizer_.pad(ids[start : start + 64])
            with autocast(self.precision_used_ or "fp32", device):
                logits = self.model_(Batch(input_ids, mask)).logits.float()  # (B, 2)
            out.append((logits[:, 1] - logits[:, 0]).numpy())
        return np.concatenate(out) if out else np.zeros(0)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """(N, 2) calibrated probabilities of outcome 0 and 1."""
        self._check_fitted()
        p = apply_calibrator(self.calibrator_, self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)
