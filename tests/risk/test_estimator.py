"""DiseaseRiskPredictor: the scikit-learn contract, leakage-free preprocessing, persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from medlm.errors import InputError, NotFittedError
from medlm.risk import DiseaseRiskPredictor, RiskTier


def _xy(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    return frame.drop(columns="Outcome"), frame["Outcome"].to_numpy()


def test_predict_before_fit_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        DiseaseRiskPredictor().predict_proba(pd.DataFrame({"a": [1.0]}))


def test_init_only_stores_params_and_clone_keeps_them() -> None:
    model = DiseaseRiskPredictor("gbm", n_estimators=7, tier_cutpoints=(0.2, 0.4))
    cloned = clone(model)
    assert cloned.get_params()["n_estimators"] == 7
    assert not hasattr(cloned, "model_")


@pytest.mark.parametrize("family", ["logreg", "gbm"])
def test_fit_returns_self_and_save_load_round_trips_exactly(
    family: str, pima_frame: pd.DataFrame, tmp_path: Path
) -> None:
    X, y = _xy(pima_frame)
    model = DiseaseRiskPredictor(family)  # type: ignore[arg-type]
    assert model.fit(X, y) is model
    model.save(tmp_path / "m")
    loaded = DiseaseRiskPredictor.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.predict(X.head(3))[0].reasons == model.predict(X.head(3))[0].reasons


def test_a_tampered_model_file_is_refused(pima_frame: pd.DataFrame, tmp_path: Path) -> None:
    X, y = _xy(pima_frame)
    DiseaseRiskPredictor().fit(X, y).save(tmp_path / "m")
    with (tmp_path / "m" / "model.joblib").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(InputError, match="checksum"):
        DiseaseRiskPredictor.load(tmp_path / "m")


@pytest.mark.parametrize("family", ["logreg", "gbm"])
def test_zero_glucose_is_treated_exactly_like_missing(
    family: str, pima_frame: pd.DataFrame
) -> None:
    X, y = _xy(pima_frame)
    model = DiseaseRiskPredictor(family).fit(X, y)  # type: ignore[arg-type]
    row = X.head(1).copy()
    zero, missing = row.copy(), row.copy()
    zero["Glucose"] = 0.0
    missing["Glucose"] = np.nan
    assert model.predict_proba(zero)[0, 1] == model.predict_proba(missing)[0, 1]
    assert "Glucose" in model.zero_missing_ and "Pregnancies" not in model.zero_missing_


def test_imputation_is_learned_without_the_label(pima_frame: pd.DataFrame) -> None:
    X, y = _xy(pima_frame)
    shuffled = np.random.default_rng(0).permutation(y)
    medians = []
    for labels in (y, shuffled):
        model = DiseaseRiskPredictor().fit(X, labels)
        numeric = model.pipeline_.named_steps["prep"].named_transformers_["num"]
        imputer = numeric.named_transformers_["values"]["impute"]
        medians.append(imputer.statistics_)
    np.testing.assert_array_equal(medians[0], medians[1])


def test_predict_gives_typed_scores_with_tier_and_three_reasons(pima_frame: pd.DataFrame) -> None:
    X, y = _xy(pima_frame)
    model = DiseaseRiskPredictor(tier_cutpoints=(0.1, 0.5)).fit(X, y)
    scores = model.predict(X.head(4), ids=["a", "b", "c", "d"])
    assert [s.patient_id for s in scores] == ["a", "b", "c", "d"]
    for score in scores:
        expected = (
            RiskTier.HIGH
            if score.probability >= 0.5
            else RiskTier.MEDIUM
            if score.probability >= 0.1
            else RiskTier.LOW
        )
        assert score.tier == expected
        assert len(score.reasons) == 3
    assert scores[0].reasons[0].text.startswith("Glucose 148 mg/dL: +")


def test_unusable_columns_are_reported_not_silently_dropped(pima_frame: pd.DataFrame) -> None:
    X, y = _xy(pima_frame)
    X = X.assign(empty=np.nan, constant=1.0, record_no=[f"r{i}" for i in range(len(X))])
    model = DiseaseRiskPredictor().fit(X, y)
    assert set(model.excluded_columns_) == {"empty", "constant", "record_no"}
    assert "missing" in model.excluded_columns_["empty"]
    assert "empty" not in model.feature_names_in_


def test_categorical_inputs_and_unseen_levels_are_handled() -> None:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=200), "cp": rng.choice(["a", "b", "c"], 200)})
    y = (X["x"] + (X["cp"] == "a") > 0.3).astype(int).to_numpy()
    model = DiseaseRiskPredictor("gbm").fit(X, y)
    unseen = pd.DataFrame({"x": [0.0], "cp": ["never-seen"]})
    assert 0 < model.predict_proba(unseen)[0, 1] < 1


def test_missing_model_columns_at_prediction_are_named(pima_frame: pd.DataFrame) -> None:
    X, y = _xy(pima_frame)
    model = DiseaseRiskPredictor().fit(X, y)
    with pytest.raises(InputError, match="Glucose"):
        model.predict_proba(X.drop(columns="Glucose"))


def test_unknown_family_is_refused(pima_frame: pd.DataFrame) -> None:
    X, y = _xy(pima_frame)
    with pytest.raises(InputError, match="unknown model family 'forest'"):
        DiseaseRiskPredictor("forest").fit(X, y)  # type: ignore[arg-type]


def test_sigmoid_recalibration_is_fitted_on_training_rows(pima_frame: pd.DataFrame) -> None:
    X, y = _xy(pima_frame)
    model = DiseaseRiskPredictor("gbm", calibration="sigmoid").fit(X, y)
    p = model.predict_proba(X)[:, 1]
    assert p.min() > 0 and p.max() < 1
    assert model.contributions(X.head(2)).shape == (2, X.shape[1])


@pytest.mark.parametrize("dataset", ["pima", "uci-heart", "framingham", "heart-failure"])
def test_predictions_from_records_equal_predictions_from_the_table(dataset: str) -> None:
    from medlm.datasets import load
    from medlm.risk import from_dataset

    data = from_dataset(dataset)
    model = DiseaseRiskPredictor("gbm").fit(data.features, data.target)  # type: ignore[arg-type]
    records = load(dataset).to_records(limit=20)
    from_records = [s.probability for s in model.predict_records(records)]
    np.testing.assert_allclose(from_records, model.predict_proba(data.features.head(20))[:, 1])
