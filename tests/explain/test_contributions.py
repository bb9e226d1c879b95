"""Contributions: exact additivity for linear models and TreeSHAP, sentences, aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medlm.explain import aggregate, describe, global_importance, top_reasons
from medlm.risk import DiseaseRiskPredictor


def _table(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    glucose = rng.normal(120, 30, n)
    bmi = rng.normal(30, 6, n)
    site = rng.choice(["north", "south"], n)
    logit = 0.04 * (glucose - 120) + 0.05 * (bmi - 30) + (site == "north") * 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    glucose[:20] = np.nan
    return pd.DataFrame({"Glucose": glucose, "BMI": bmi, "site": site}), y


@pytest.mark.parametrize("family", ["logreg", "gbm"])
def test_contributions_plus_baseline_equal_the_model_log_odds(family: str) -> None:
    X, y = _table()
    model = DiseaseRiskPredictor(family).fit(X, y)  # type: ignore[arg-type]
    contrib = model.contributions(X)
    p = model.predict_proba(X)[:, 1]
    log_odds = np.log(p / (1 - p))
    baseline = log_odds - contrib.sum(axis=1)
    assert contrib.shape == (len(X), 3)
    assert np.ptp(baseline) == pytest.approx(0.0, abs=1e-6)  # one constant baseline for all


def test_one_hot_and_missing_indicator_columns_are_summed_onto_their_input() -> None:
    contrib = np.array([[0.1, 0.2, 0.3, -0.4]])
    sources = ["Glucose", "Glucose", "site", "site"]
    assert aggregate(contrib, sources, ["Glucose", "site"]).tolist() == [pytest.approx([0.3, -0.1])]


def test_reasons_name_value_unit_and_signed_contribution_largest_first() -> None:
    reasons = top_reasons(
        {"Glucose": 168.0, "BMI": float("nan"), "Age": 50},
        np.array([0.21, -0.5, 0.01]),
        ["Glucose", "BMI", "Age"],
        k=2,
        units={"Glucose": "mg/dL"},
    )
    assert [r.text for r in reasons] == ["BMI missing: -0.50", "Glucose 168 mg/dL: +0.21"]
    assert reasons[0].value is None


def test_describe_leaves_out_unit_one() -> None:
    assert describe("Pregnancies", 6.0, 0.26, "1") == "Pregnancies 6: +0.26"


def test_global_importance_orders_by_mean_absolute_contribution() -> None:
    importance = global_importance(np.array([[1.0, -3.0], [-1.0, 1.0]]), ["a", "b"])
    assert list(importance.items()) == [("b", 2.0), ("a", 1.0)]
