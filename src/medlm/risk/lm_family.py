"""The language-model family: each row written as text, embedded by medlm's encoder, then a
strongly regularised logistic regression on the standardized embeddings (C = 0.01 by
default: with 384 dimensions and a few hundred rows, weaker penalties gave calibration
slopes far below 1 on Pima).

Text is "<column>: <value> <unit>." for every present value, in column order; missing values
are left out of the text (the encoder never sees an imputed number). The encoder is frozen
(`medlm.lm.TextEncoder`, MiniLM by default) and is never pickled: a saved model stores its
name and reloads it on first use.

Explanations (log-odds of the logistic regression, before any recalibration):
- "integrated_gradients" (default): integrated gradients over the encoder's token embeddings
  (`medlm.explain.integrated_gradients`) of the whole differentiable path, encoder -> mean
  pooling -> L2 normalisation -> standardisation -> linear log-odds, from a baseline where
  every content token is [PAD] (the row's text emptied, same length, [CLS]/[SEP] kept), with
  `lm_ig_steps` midpoint steps; each input gets the sum over the tokens of its "<column>:
  <value> <unit>." text. Additive like the linear and tree methods: the contributions sum to
  the log-odds minus the baseline's log-odds, up to the quadrature's completeness gap (logged
  when it exceeds 0.05). The baseline's log-odds depends on the text's length in tokens, so
  it differs between rows; missing values are not in the text and contribute 0. A prediction
  with reasons takes about 3 times as long as with occlusion (32 forward and backward passes
  per row against one forward pass per input).
- "occlusion": the change in log-odds when one input is removed from the text (not additive).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from medlm.errors import InputError
from medlm.risk.pipeline import ZeroAsMissing

if TYPE_CHECKING:
    from medlm.explain.integrated_gradients import TokenAttributions
    from medlm.risk.estimator import DiseaseRiskPredictor

logger = logging.getLogger(__name__)
# Largest |completeness gap| (log-odds) accepted silently. On 8 held-out Pima rows with MiniLM
# (benchmarks/lm_explanations.py), 32 midpoint steps left gaps of at most 0.014 (Gauss-Legendre
# 0.016; at 16 steps 0.093 and 0.27), against a median |f(x) - f(x')| of 0.81.
GAP_TOLERANCE = 0.05
IG_RULE: Final = "riemann"
EXPLAINERS = {"integrated_gradients": "integrated gradients", "occlusion": "occlusion"}


def row_text_spans(
    row: dict[str, Any], units: dict[str, str] | None = None
) -> tuple[str, dict[str, tuple[int, int]]]:
    """The row's text and, per present column, the character range of its "<column>: ..." part."""
    text, ranges = "", {}
    for column, value in row.items():
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        unit = (units or {}).get(column)
        part = f"{column}: {shown}{' ' + unit if unit and unit != '1' else ''}."
        text += " " if text else ""
        ranges[str(column)] = (len(text), len(text) + len(part))
        text += part
    return text, ranges


def row_text(row: dict[str, Any], units: dict[str, str] | None = None) -> str:
    """'Glucose: 148 mg/dL. BMI: 33.6 kg/m2.' (missing values left out)."""
    return row_text_spans(row, units)[0]


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


def token_attributions(
    predictor: DiseaseRiskPredictor, frame: pd.DataFrame, *, steps: int = 32
) -> tuple[list[TokenAttributions], list[dict[str, tuple[int, int]]]]:
    """Integrated gradients of each row's log-odds over its text's tokens, and the column ranges."""
    from medlm.explain.integrated_gradients import attribute_tokens, pooled_linear_head

    pipeline = predictor.pipeline_
    embedder, scaler = pipeline.named_steps["embed"], pipeline.named_steps["scale"]
    linear = pipeline.named_steps["model"]
    rows = pipeline.named_steps["zeros"].transform(frame).to_dict(orient="records")
    texts, ranges = zip(*(row_text_spans(r, embedder.units) for r in rows), strict=True)
    head = pooled_linear_head(
        linear.coef_[0], float(linear.intercept_[0]), mean=scaler.mean_, scale=scaler.scale_
    )
    encoder = embedder._encoder()
    results = attribute_tokens(
        encoder.model,
        encoder.tokenizer,
        list(texts),
        head,
        steps=steps,
        rule=IG_RULE,
        max_length=encoder.max_length,
    )
    return results, list(ranges)


def ig_contributions(
    predictor: DiseaseRiskPredictor, frame: pd.DataFrame, *, steps: int = 32
) -> np.ndarray:
    """(N, C): integrated gradients of the log-odds, summed over each column's text."""
    from medlm.explain.integrated_gradients import sum_over_ranges

    if len(frame) == 0:
        return np.zeros((0, frame.shape[1]))
    results, ranges = token_attributions(predictor, frame, steps=steps)
    out = np.zeros((len(frame), frame.shape[1]))
    for i, (result, row_ranges) in enumerate(zip(results, ranges, strict=True)):
        totals = sum_over_ranges(result, row_ranges)
        out[i] = [totals.get(str(c), 0.0) for c in frame.columns]
    worst = max(abs(r.completeness_gap) for r in results)
    if worst > GAP_TOLERANCE:
        logger.warning(
            "integrated gradients with %d steps missed completeness by up to %.3f log-odds; "
            "raise lm_ig_steps for exact sums",
            steps,
            worst,
        )
    return out


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


def explainer_name(predictor: DiseaseRiskPredictor) -> str:
    """The method named in the reasons: "integrated gradients" or "occlusion"."""
    explainer = getattr(predictor, "lm_explainer", "occlusion")  # models saved before the option
    if explainer not in EXPLAINERS:
        raise InputError(
            f"DiseaseRiskPredictor.lm_explainer={explainer!r} is unknown; "
            f"choose one of {', '.join(EXPLAINERS)}"
        )
    return EXPLAINERS[explainer]


def lm_contributions(predictor: DiseaseRiskPredictor, frame: pd.DataFrame) -> np.ndarray:
    """(N, C) contributions by the predictor's chosen explainer."""
    if explainer_name(predictor) == "occlusion":
        return occlusion_contributions(predictor, frame)
    return ig_contributions(predictor, frame, steps=predictor.lm_ig_steps)
