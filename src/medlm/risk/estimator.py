"""DiseaseRiskPredictor: a calibrated binary risk model with reasons, following scikit-learn.

Families: "logreg" (L2-regularised logistic regression on imputed, scaled inputs with
missing-indicators), "gbm" (regularised LightGBM: shallow trees, shrinkage, subsampling, L2),
"lm" (each row written as text and embedded by medlm's transformer, then logistic
regression; its reasons come from integrated gradients unless `lm_explainer="occlusion"`).
Optional recalibration ("sigmoid" = Platt, "isotonic") is fitted by internal
cross-validation on the training rows only. The defaults were chosen so that held-out
calibration slopes sit near 1 on Pima (see docs/benchmarks.md).

Tiers use the model's own cut-points, chosen at fit on the training data (`medlm.risk.tiers`:
`tier_rule`, or fixed `tier_cutpoints`). `population` (a packaged dataset's, `medlm.risk.
population`) is checked for each record: a patient outside it gets no tier. Each score lists
what was imputed for a missing input and is flagged low-confidence when imputed inputs carry
at least `low_confidence_missing_share` of its absolute log-odds contributions.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import Pipeline

from medlm import __version__
from medlm.errors import DeceasedPatientError, InputError, NotFittedError
from medlm.explain import aggregate, linear_contributions, top_reasons, tree_contributions
from medlm.records import PatientRecord
from medlm.records.timing import deceased_reason, resolve_as_of
from medlm.risk import pipeline as pipes
from medlm.risk.frames import (
    as_frame,
    check_magnitudes,
    is_boolean,
    typed_frame,
    unusable_columns,
)
from medlm.risk.imputation import imputation_table, missing_in_rows, missing_share
from medlm.risk.population import Population, check_population
from medlm.risk.records import RecordMapping, mapping_for_columns, record_row
from medlm.risk.result import RiskScore, assign_tier
from medlm.risk.tiers import DEFAULT_MULTIPLES, choose_cutpoints

logger = logging.getLogger(__name__)

Family = Literal["logreg", "gbm", "lm"]
FAMILIES: tuple[str, ...] = ("logreg", "gbm", "lm")


class DiseaseRiskPredictor(BaseEstimator):
    """Predict the probability of a binary outcome, with a tier and the top reasons."""

    def __init__(
        self,
        family: Family = "logreg",
        *,
        C: float = 0.5,
        n_estimators: int = 200,
        learning_rate: float = 0.04,
        num_leaves: int = 3,
        min_child_samples: int = 20,
        reg_lambda: float = 5.0,
        subsample: float = 0.8,
        calibration: Literal["none", "sigmoid", "isotonic"] = "none",
        zero_as_missing: Sequence[str] | Literal["auto"] = "auto",
        tier_cutpoints: tuple[float, float] | None = None,
        tier_rule: str = "prevalence",
        tier_multiples: tuple[float, float] = DEFAULT_MULTIPLES,
        population: Population | None = None,
        low_confidence_missing_share: float = 0.5,
        top_k: int = 3,
        name: str = "risk-model",
        outcome: str = "outcome",
        lm_model: str = "minilm",
        lm_C: float = 0.01,
        lm_explainer: Literal["integrated_gradients", "occlusion"] = "integrated_gradients",
        lm_ig_steps: int = 32,
        random_state: int = 0,
    ) -> None:
        self.family = family
        self.C = C
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.reg_lambda = reg_lambda
        self.subsample = subsample
        self.calibration = calibration
        self.zero_as_missing = zero_as_missing
        self.tier_cutpoints = tier_cutpoints
        self.tier_rule = tier_rule
        self.tier_multiples = tier_multiples
        self.population = population
        self.low_confidence_missing_share = low_confidence_missing_share
        self.top_k = top_k
        self.name = name
        self.outcome = outcome
        self.lm_model = lm_model
        self.lm_C = lm_C
        self.lm_explainer = lm_explainer
        self.lm_ig_steps = lm_ig_steps
        self.random_state = random_state

    # ---- fitting -------------------------------------------------------------------------
    def _pipeline(self, X: pd.DataFrame) -> Pipeline:
        zeros = (
            pipes.zero_impossible_columns(list(X.columns))
            if self.zero_as_missing == "auto"
            else list(self.zero_as_missing)
        )
        self.zero_missing_ = zeros
        if self.family == "logreg":
            return pipes.logreg_pipeline(X, zeros, self.C, self.random_state)
        if self.family == "gbm":
            params = {
                "n_estimators": self.n_estimators,
                "learning_rate": self.learning_rate,
                "num_leaves": self.num_leaves,
                "min_child_samples": self.min_child_samples,
                "reg_lambda": self.reg_lambda,
                "subsample": self.subsample,
                "subsample_freq": 1,
                "colsample_bytree": 0.8,
            }
            return pipes.gbm_pipeline(X, zeros, params, self.random_state)
        if self.family == "lm":
            from medlm.risk.lm_family import lm_pipeline

            mapping = mapping_for_columns(list(X.columns))
            units = mapping.units if mapping else {}
            return lm_pipeline(zeros, self.lm_model, self.lm_C, self.random_state, units)
        raise InputError(f"unknown model family {self.family!r}; choose from {', '.join(FAMILIES)}")

    def fit(
        self,
        X: pd.DataFrame,
        y: Sequence[int] | np.ndarray,
        record_mapping: RecordMapping | None = None,
    ) -> DiseaseRiskPredictor:
        """Fit preprocessing and model on these rows only; returns self.

        `record_mapping` says which record field feeds each column (needed to predict from
        records unless the columns are those of a registered dataset).
        """
        frame = as_frame(X)
        y_arr = np.asarray(y, dtype=int)
        if len(frame) != len(y_arr):
            raise InputError(f"{len(frame)} rows but {len(y_arr)} outcomes")
        if len(np.unique(y_arr)) != 2:
            raise InputError("training needs both outcomes (0 and 1) among the rows")
        self.tier_cutpoints_ = choose_cutpoints(
            self.tier_rule,
            prevalence=float(y_arr.mean()),
            fixed=self.tier_cutpoints,
            multiples=self.tier_multiples,
        )
        self.excluded_columns_ = unusable_columns(frame)
        for column, reason in self.excluded_columns_.items():
            logger.warning("column %r not used: %s", column, reason)
        frame = frame.drop(columns=list(self.excluded_columns_))
        if frame.shape[1] == 0:
            raise InputError("no usable feature columns remain (see the columns reported)")
        self.feature_names_in_ = [str(c) for c in frame.columns]
        self.dtypes_ = {c: str(t) for c, t in frame.dtypes.items()}
        self.boolean_columns_ = [str(c) for c in frame.columns if is_boolean(frame[c])]
        pipeline = self._pipeline(frame)
        if self.calibration != "none":
            calibrated = CalibratedClassifierCV(
                pipeline, method=self.calibration, cv=5, ensemble=False
            )
            calibrated.fit(frame, y_arr)
            self.model_ = calibrated
            self.pipeline_ = calibrated.calibrated_classifiers_[0].estimator
        else:
            self.model_ = pipeline.fit(frame, y_arr)
            self.pipeline_ = pipeline
        self.classes_ = np.array([0, 1])
        sex_column = next((c for c in ("sex", "male") if c in frame.columns), None)
        examples = frame[sex_column].dropna().unique().tolist() if sex_column else []
        self.record_mapping_: RecordMapping | None = record_mapping or mapping_for_columns(
            self.feature_names_in_, examples
        )
        self.n_train_ = len(frame)
        self.prevalence_ = float(y_arr.mean())
        self.population_ = self.population
        units = self.record_mapping_.units if self.record_mapping_ else {}
        self.imputation_ = imputation_table(
            self.family, self.pipeline_, self.feature_names_in_, units
        )
        self.version_ = __version__
        logger.info("fitted %s (%s) on %d rows", self.name, self.family, len(frame))
        return self

    # ---- prediction ----------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"DiseaseRiskPredictor {self.name!r} is not fitted; call fit() or load()"
            )

    def _align(self, X: pd.DataFrame) -> pd.DataFrame:
        frame = as_frame(X)
        absent = [c for c in self.feature_names_in_ if c not in frame.columns]
        if absent:
            raise InputError(f"input lacks the model's columns: {', '.join(absent)}")
        check_magnitudes(frame[self.feature_names_in_])
        return frame[self.feature_names_in_]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """(N, 2) probabilities of outcome 0 and 1."""
        self._check_fitted()
        return np.asarray(self.model_.predict_proba(self._align(X)))

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """(N, C) log-odds contributions per input column (before recalibration)."""
        self._check_fitted()
        frame = self._align(X)
        if self.family == "lm":
            from medlm.risk.lm_family import lm_contributions

            return lm_contributions(self, frame)
        prep = self.pipeline_.named_steps["prep"]
        transformed = prep.transform(self.pipeline_.named_steps["zeros"].transform(frame))
        model = self.pipeline_.named_steps["model"]
        if self.family == "gbm":
            raw, _ = tree_contributions(model.booster_, transformed)
        else:
            raw = linear_contributions(model.coef_, transformed)
        sources = pipes.output_sources(prep, self.feature_names_in_)
        return aggregate(raw, sources, self.feature_names_in_)

    def predict(
        self, X: pd.DataFrame, ids: Sequence[str] | None = None, missing: Sequence[list[str]] = ()
    ) -> list[RiskScore]:
        """One RiskScore per row: tier from the model's own cut-points, top reasons, and what
        was imputed (`missing`: per row, the columns a record lacked; default: the row's NaNs)."""
        frame = self._align(X)
        probabilities = self.predict_proba(frame)[:, 1]
        contrib = self.contributions(frame)
        units = self.record_mapping_.units if self.record_mapping_ else {}
        ids = list(ids) if ids is not None else [f"row-{i + 1}" for i in range(len(frame))]
        absent = list(missing) if missing else missing_in_rows(frame, self.zero_missing_)
        rows = frame.to_dict(orient="records")
        method = None  # linear and TreeSHAP contributions are exact; the lm family names its own
        if self.family == "lm":
            from medlm.risk.lm_family import explainer_name

            method = explainer_name(self)
        cuts = self.tier_cutpoints_
        scores = []
        for i, p in enumerate(probabilities):
            lacking = list(absent[i]) if i < len(absent) else []
            share = missing_share(contrib[i], self.feature_names_in_, lacking)
            scores.append(
                RiskScore(
                    patient_id=ids[i],
                    probability=float(p),
                    tier=assign_tier(float(p), cuts.pair),
                    cutpoints=cuts,
                    outcome=self.outcome,
                    reasons=top_reasons(
                        rows[i],
                        contrib[i],
                        self.feature_names_in_,
                        k=self.top_k,
                        units=units,
                        method=method,
                    ),
                    model_name=self.name,
                    model_version=self.version_,
                    family=self.family,
                    missing=lacking,
                    imputed={c: self.imputation_.get(c, "unknown") for c in lacking},
                    missing_share=round(share, 4),
                    low_confidence=share >= self.low_confidence_missing_share,
                )
            )
        return scores

    def predict_records(
        self,
        records: Sequence[PatientRecord],
        *,
        as_of: datetime | date | None = None,
        freshness_days: Mapping[str, float] | None = None,
    ) -> list[RiskScore]:
        """RiskScores for patient records judged at `as_of` (default now).

        Needs a model trained on a known column layout. A deceased patient is an InputError
        naming the death date (`medlm.risk.batch.predict_batch` refuses them one by one).
        `freshness_days` overrides the concepts' freshness windows (settings.records).
        """
        self._check_fitted()
        mapping = self.record_mapping_
        if mapping is None:
            raise InputError(
                f"model {self.name!r} was trained on columns that match no registered dataset, "
                "so it cannot read patient records; predict from a CSV with the same columns"
            )
        if getattr(mapping, "columns", None) is None:
            raise InputError(
                f"model {self.name!r} was saved by an older medlm that read records by code "
                "alone; train it again to predict from records"
            )
        when = resolve_as_of(as_of)
        for record in records:
            reason = deceased_reason(record.patient, when)
            if reason is not None:
                raise DeceasedPatientError(f"{reason}: no risk score")
        rows = [
            record_row(
                r, mapping, self.feature_names_in_, as_of=when, freshness_days=freshness_days
            )
            for r in records
        ]
        frame = typed_frame(
            [row.values for row in rows],
            self.feature_names_in_,
            self.dtypes_,
            getattr(self, "boolean_columns_", []),
        )
        ids = [r.patient.id for r in records]
        scores = self.predict(frame, ids=ids, missing=[row.missing for row in rows])
        for score, row, record in zip(scores, rows, records, strict=True):
            score.evidence = list(row.evidence)
            score.inputs = dict(row.inputs)
            score.notes = row.notes
            score.population = check_population(record, self.population_, when)
            if score.population.outside:
                score.tier = None
        return scores

    # ---- persistence ---------------------------------------------------------------------
    def save(self, folder: Any) -> None:
        from medlm.risk.persist import save_model

        self._check_fitted()
        save_model(self, folder)

    @classmethod
    def load(cls, folder: Any) -> DiseaseRiskPredictor:
        from medlm.risk.persist import load_model

        return load_model(folder)
