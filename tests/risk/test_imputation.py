"""A missing input shows what was imputed; a prediction resting on imputed inputs says so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.imputation import missing_share


@pytest.fixture(scope="module")
def pima() -> tuple[DiseaseRiskPredictor, pd.DataFrame]:
    data = from_dataset("pima")
    model = DiseaseRiskPredictor().fit(data.features, data.target)  # type: ignore[arg-type]
    return model, data.features


def test_most_weight_imputed_flags_the_prediction_low_confidence(
    pima: tuple[DiseaseRiskPredictor, pd.DataFrame],
) -> None:
    model, features = pima
    only_age = features.head(1).copy()
    for column in features.columns:
        if column != "Age":
            only_age[column] = np.nan
    (score,) = model.predict(only_age)
    assert score.low_confidence
    assert score.missing_share is not None and score.missing_share >= 0.5
    median = features["Glucose"].median()
    assert score.imputed["Glucose"] == f"{median:g} mg/dL (training median)"
    assert set(score.imputed) == set(features.columns) - {"Age"}


def test_a_complete_row_is_not_low_confidence_and_imputes_nothing(
    pima: tuple[DiseaseRiskPredictor, pd.DataFrame],
) -> None:
    model, features = pima
    complete = features.dropna().head(1)
    (score,) = model.predict(complete)
    assert not score.low_confidence and score.missing_share == 0.0
    assert score.imputed == {} and score.missing == []


def test_the_threshold_is_the_setting(pima: tuple[DiseaseRiskPredictor, pd.DataFrame]) -> None:
    model, features = pima
    row = features.head(1).copy()
    row["Glucose"] = np.nan
    (score,) = model.predict(row)
    assert score.missing_share is not None and 0 < score.missing_share < 1
    strict = DiseaseRiskPredictor(low_confidence_missing_share=score.missing_share)
    strict.fit(features, from_dataset("pima").target)  # type: ignore[arg-type]
    assert strict.predict(row)[0].low_confidence


def test_gbm_says_missing_values_take_a_learned_branch() -> None:
    data = from_dataset("pima")
    model = DiseaseRiskPredictor("gbm", n_estimators=10).fit(data.features, data.target)  # type: ignore[arg-type]
    row = data.features.head(1).copy()
    row["Insulin"] = np.nan
    (score,) = model.predict(row)
    assert "branch learned for missing values" in score.imputed["Insulin"]


def test_a_value_missing_in_one_training_row_cannot_dominate_a_prediction() -> None:
    # heartRate is missing in 1 of 4,240 Framingham rows: its indicator once added +4.89 log-odds
    data = from_dataset("framingham")
    model = DiseaseRiskPredictor().fit(data.features, data.target)  # type: ignore[arg-type]
    row = data.features.dropna().head(1).copy()
    row["heartRate"] = np.nan
    contributions = model.contributions(row)[0]
    column = model.feature_names_in_.index("heartRate")
    assert abs(contributions[column]) < 0.5


def test_missing_share_is_the_imputed_part_of_the_absolute_weight() -> None:
    assert missing_share(np.array([1.0, -3.0, 0.0]), ["a", "b", "c"], ["b"]) == 0.75
    assert missing_share(np.zeros(2), ["a", "b"], ["a"]) == 0.0
