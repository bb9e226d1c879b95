"""Tier cut-points are the model's own: chosen on its training data, saved and shown."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pytest

from medlm.errors import ConfigError, InputError
from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.persist import META_FILE, MODEL_FILE, _sha256
from medlm.risk.tiers import choose_cutpoints
from medlm.settings import RiskSettings


@pytest.fixture(scope="module")
def pima_model() -> DiseaseRiskPredictor:
    data = from_dataset("pima")
    return DiseaseRiskPredictor().fit(data.features, data.target)  # type: ignore[arg-type]


def test_prevalence_rule_gives_half_and_one_and_a_half_times_the_prevalence() -> None:
    cuts = choose_cutpoints("prevalence", prevalence=0.35)
    assert cuts.pair == (0.175, 0.525)
    assert "0.5x and 1.5x the training prevalence (35.0%)" in cuts.rule


def test_a_prevalence_above_two_thirds_caps_high_halfway_to_one() -> None:
    cuts = choose_cutpoints("prevalence", prevalence=0.8)
    assert cuts.pair == (0.4, 0.9)
    assert "capped" in cuts.rule


def test_fixed_cutpoints_win_over_the_rule_and_an_unknown_rule_is_refused() -> None:
    assert choose_cutpoints("atp3_10y_chd", prevalence=0.3, fixed=(0.05, 0.3)).pair == (0.05, 0.3)
    with pytest.raises(ConfigError, match="unknown tier rule 'nice'"):
        choose_cutpoints("nice", prevalence=0.3)


def test_uci_heart_tiers_follow_its_55_percent_prevalence() -> None:
    data = from_dataset("uci-heart")
    model = DiseaseRiskPredictor().fit(data.features, data.target)  # type: ignore[arg-type]
    low, high = model.tier_cutpoints_.pair
    assert low == pytest.approx(0.5 * model.prevalence_, abs=1e-4) and low > 0.25
    assert high == pytest.approx(1.5 * model.prevalence_, abs=1e-4)
    tiers = [s.tier for s in model.predict(data.features)]
    assert sum(t == "high" for t in tiers) < 0.6 * len(tiers)


def test_cutpoints_are_saved_and_reloaded_exactly(
    pima_model: DiseaseRiskPredictor, tmp_path: Path
) -> None:
    pima_model.save(tmp_path / "m")
    loaded = DiseaseRiskPredictor.load(tmp_path / "m")
    assert loaded.tier_cutpoints_ == pima_model.tier_cutpoints_
    meta = json.loads((tmp_path / "m" / META_FILE).read_text())
    assert meta["tier_cutpoints"]["low_below"] == pima_model.tier_cutpoints_.low_below
    assert meta["tier_cutpoints"]["high_from"] == pima_model.tier_cutpoints_.high_from
    assert meta["tier_cutpoints"]["rule"] == pima_model.tier_cutpoints_.rule
    assert meta["population"] is None


def test_a_model_saved_before_models_had_cutpoints_is_refused_clearly(
    pima_model: DiseaseRiskPredictor, tmp_path: Path
) -> None:
    pima_model.save(tmp_path / "old")
    old = joblib.load(tmp_path / "old" / MODEL_FILE)
    del old.tier_cutpoints_, old.imputation_
    joblib.dump(old, tmp_path / "old" / MODEL_FILE)
    meta_path = tmp_path / "old" / META_FILE
    meta = json.loads(meta_path.read_text())
    meta["sha256"] = _sha256(tmp_path / "old" / MODEL_FILE)
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(InputError, match="before models carried their own tier cut-points"):
        DiseaseRiskPredictor.load(tmp_path / "old")


def test_settings_fix_cutpoints_only_when_both_are_given() -> None:
    assert RiskSettings().cutpoints is None
    assert RiskSettings(tier_low_below=0.05, tier_high_from=0.3).cutpoints == (0.05, 0.3)
    with pytest.raises(ValueError, match="set both"):
        RiskSettings(tier_low_below=0.05)
