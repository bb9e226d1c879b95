"""The language-model family: each row written as text, embedded by medlm's encoder, then a
strongly regularised logistic regression on the standardized embeddings (C = 0.01 by
default: with 384 dimensions and a few hundred rows, weaker penalties gave calibration
slopes far below 1 on Pima).

Text is "<column>: <value> <unit>." for every present value, in column order; missing values
are left out of the text (the encoder never sees an imputed number). The encoder is frozen
(`medlm.lm.TextEncoder`, MiniLM by default) and is never pickled: a saved model stores its
name and reloads it on first use. Explanations use occlusion (the change in log-odds when one
input is removed from the text), which is not additive like the linear and tree methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from medlm.risk.pipeline import ZeroAsMissing

if TYPE_CHECKING:
    from medlm.risk.estimator import DiseaseRiskPredictor


def row_text(row: dict[str, Any], units: dict[str, str] | None = None) -> str:
    """'Glucose: 148 mg/dL. BMI: 33.6 kg/m2.' (missing values left out)."""
    parts = []
    for column, value in row.items():
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        unit = (units or {}).get(column)
        parts.append(f"{column}: {shown}{' ' + unit if unit and unit != '1' else ''}.")
    return " ".join(parts)


class TextEmbedder(TransformerMixin, BaseEstimator):
    """DataFrame rows → (N, D) sentence embeddings from a frozen medlm encoder."""

    def __init__(self, model: str = "minilm", units: dict[str, str] | None = None) -> None:
        self.model = model
        self.units = units

    def _encoder(self) -> Any:
        if getattr(self, "encoder_", None) is None:
            from medlm.lm import TextEncoder

            self.encoder_ = TextEncoder.from_pretrained(self.model, max_length=128)
        return self.encoder_

    def fit(self, X: pd.DataFrame, y: Any = None) -> TextEmbedder:
        self._encoder()
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        texts = [row_text(r, self.units) for r in X.to_dict(orient="records")]
        return np.asarray(self._encoder().embed(texts))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["encoder_"] = None  # reloaded by name; weights are not pickled
        return state


def lm_pipeline(
    zero_missing: Sequence[str], model: str, C: float, seed: int, units: dict[str, str]
) -> Pipeline:
    return Pipeline(
        [
            ("zeros", ZeroAsMissing(zero_missing)),
            ("embed", TextEmbedder(model, units)),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=C, max_iter=2000, random_state=seed)),
        ]
    )


def occlusion_contributions(predictor: DiseaseRiskPredictor, frame: pd.DataFrame) -> np.ndarray:
    """(N, C): log-odds with all inputs minus log-odds with input c removed from the text."""

    def log_odds(rows: pd.DataFrame) -> np.ndarray:
        p = np.clip(predictor.pipeline_.predict_proba(rows)[:, 1], 1e-9, 1 - 1e-9)
        return np.asarray(np.log(p / (1 - p)))

    full = log_odds(frame)
    out = np.zeros((len(frame), frame.shape[1]))
    for j, column in enumerate(frame.columns):
        masked = frame.copy()
        masked[column] = np.nan
        out[:, j] = full - log_odds(masked)
    return out
