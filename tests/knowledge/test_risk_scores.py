"""Risk score definitions: citations and versions present, values pinned, scoring by item."""

from __future__ import annotations

import pytest

from medlm.errors import InputError
from medlm.knowledge.risk_scores import SCORES, band_points, load_score
from medlm.risk.baselines import ScoreInputs, ada_risk_test, findrisc, framingham_cvd_bmi


@pytest.mark.parametrize("name", SCORES)
def test_every_score_names_its_version_citation_and_verification(name: str) -> None:
    table = load_score(name)
    assert table.version and table.citation and table.verification
    assert any(year in table.citation for year in ("2003", "2008", "2009", "2010"))


def test_framingham_bmi_coefficients_are_pinned_and_flagged_unverified() -> None:
    table = load_score("framingham_2008")
    extra = table.model_extra or {}
    assert extra["verified"] is False
    assert "UNVERIFIED" in table.verification
    assert extra["men"] == {
        "baseline_survival_10y": 0.88431,
        "mean_linear_predictor": 23.9388,
        "ln_age": 3.11296,
        "ln_bmi": 0.79277,
        "ln_sbp_untreated": 1.85508,
        "ln_sbp_treated": 1.92672,
        "smoker": 0.70953,
        "diabetes": 0.53160,
    }
    assert extra["women"]["baseline_survival_10y"] == 0.94833
    assert extra["women"]["mean_linear_predictor"] == 26.0145


def test_framingham_risk_rises_with_risk_factors_and_stays_a_probability() -> None:
    low = framingham_cvd_bmi(
        age=40, male=False, bmi=22, sbp=110, bp_treated=False, smoker=False, diabetes=False
    )
    high = framingham_cvd_bmi(
        age=70, male=True, bmi=32, sbp=160, bp_treated=True, smoker=True, diabetes=True
    )
    assert 0 < low < 0.05 < 0.5 < high < 1


@pytest.mark.parametrize(
    ("age", "points"), [(44, 0), (45, 2), (54.9, 2), (55, 3), (64, 3), (65, 4)]
)
def test_findrisc_age_bands(age: float, points: int) -> None:
    assert band_points(load_score("findrisc").items["age"]["bands"], age) == points


@pytest.mark.parametrize(("bmi", "points"), [(24.9, 0), (25, 1), (30, 1), (30.1, 3)])
def test_findrisc_bmi_bands(bmi: float, points: int) -> None:
    assert band_points(load_score("findrisc").items["bmi"]["bands"], bmi) == points


def test_complete_findrisc_answers_sum_to_the_form_total() -> None:
    result = findrisc(
        ScoreInputs(
            age=58,
            male=False,
            bmi=31,
            waist_cm=90,
            physically_inactive=True,
            no_daily_vegetables=True,
            bp_medication_ever=True,
            high_glucose_ever=True,
            family_history="first_degree",
        )
    )
    assert result.points == 3 + 3 + 4 + 2 + 1 + 2 + 5 + 5
    assert result.complete


def test_partial_findrisc_lists_every_missing_item() -> None:
    result = findrisc(ScoreInputs(age=50, bmi=27))
    assert result.points == 3
    assert result.missing_items == [
        "waist",
        "physically_inactive",
        "no_daily_vegetables",
        "bp_medication_ever",
        "high_glucose_ever",
        "family_history",
    ]


def test_ada_risk_test_scores_a_high_risk_man() -> None:
    result = ada_risk_test(
        ScoreInputs(
            age=62,
            male=True,
            bmi=31,
            family_history="first_degree",
            high_blood_pressure=True,
            physically_inactive=True,
        )
    )
    assert result.points == 3 + 1 + 1 + 1 + 1 + 2
    assert result.points >= load_score("ada_risk_test").model_extra["high_risk_from"]  # type: ignore[index]
    assert "gestational_diabetes" not in result.missing_items  # applies to women only


def test_unknown_score_is_refused() -> None:
    with pytest.raises(InputError, match="unknown risk score"):
        load_score("qrisk")
