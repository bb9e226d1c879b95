"""Guideline branch case table: ADA diabetes, ACC/AHA 2017 blood pressure, ACC/AHA 2018 statins.

Records here carry one reading per value; multi-reading blood pressure cases are in
test_guidelines_hypertension.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from medlm.treatment import TreatmentRecommender
from medlm.treatment.guidelines import bp_category

# (case id, patient spec, expected (action, rule_id) present, or None with the rule_id absent)
CASES: list[tuple[str, dict[str, Any], str, str | None]] = [
    (
        "ascvd_gets_cardiorenal_agent",
        {"conditions": ("E11.9", "I25.10"), "egfr": 70},
        "ada-cardiorenal-ascvd_or_high_risk",
        "start",
    ),
    (
        "ascvd_already_on_sglt2",
        {"conditions": ("E11.9", "I25.10"), "egfr": 70, "meds": ("Jardiance",)},
        "ada-cardiorenal-ascvd_or_high_risk",
        None,
    ),
    (
        "heart_failure_gets_sglt2",
        {"conditions": ("E11.9", "I50.9"), "egfr": 70},
        "ada-cardiorenal-heart_failure",
        "start",
    ),
    (
        "ckd_egfr_25_gets_sglt2",
        {"conditions": ("E11.9", "N18.4"), "egfr": 25},
        "ada-cardiorenal-ckd",
        "start",
    ),
    (
        "ckd_egfr_15_no_sglt2",
        {"conditions": ("E11.9", "N18.5"), "egfr": 15},
        "ada-cardiorenal-ckd",
        None,
    ),
    ("no_diabetes_no_metformin", {"conditions": ("I10",), "egfr": 80}, "ada-metformin-start", None),
    (
        "metformin_start_egfr_80",
        {"conditions": ("E11.9",), "egfr": 80},
        "ada-metformin-start",
        "start",
    ),
    (
        "metformin_avoid_egfr_40",
        {"conditions": ("E11.9",), "egfr": 40},
        "ada-metformin-egfr-30-44",
        "avoid",
    ),
    (
        "metformin_adjust_egfr_40",
        {"conditions": ("E11.9",), "egfr": 40, "meds": ("metformin",)},
        "ada-metformin-egfr-30-44",
        "adjust",
    ),
    (
        "metformin_stop_egfr_25",
        {"conditions": ("E11.9",), "egfr": 25, "meds": ("metformin",)},
        "ada-metformin-stop",
        "stop",
    ),
    (
        "hba1c_above_general_target",
        {"conditions": ("E11.9",), "egfr": 80, "hba1c": 7.4},
        "ada-hba1c-target",
        "adjust",
    ),
    (
        "hba1c_below_general_target",
        {"conditions": ("E11.9",), "egfr": 80, "hba1c": 6.8},
        "ada-hba1c-target",
        None,
    ),
    (
        "hba1c_7_4_at_80_within_relaxed_target",
        {"age": 80, "conditions": ("E11.9",), "egfr": 80, "hba1c": 7.4},
        "ada-hba1c-target",
        None,
    ),
    # One reading is not a BP level (ACC/AHA 2017: mean of >= 2 readings on >= 2 occasions): a
    # start or change becomes 'confirm'. Two-reading starts: test_guidelines_hypertension.py.
    (
        "single_stage2_reading_confirm_first",
        {"sbp": 150, "dbp": 85},
        "acc-aha-confirm-bp",
        "monitor",
    ),
    ("single_stage2_reading_no_start", {"sbp": 150, "dbp": 85}, "acc-aha-stage2-two-agents", None),
    (
        "stage1_low_risk_no_drug",
        {"sbp": 134, "dbp": 70, "ascvd_risk": 6.0},
        "acc-aha-stage1-low-risk",
        "monitor",
    ),
    (
        "single_stage1_high_risk_reading_no_start",
        {"sbp": 134, "dbp": 70, "ascvd_risk": 12.0},
        "acc-aha-first-line",
        None,
    ),
    (
        "single_stage1_diabetes_reading_confirm_first",
        {"sbp": 134, "dbp": 70, "conditions": ("E11.9",), "egfr": 80},
        "acc-aha-confirm-bp",
        "monitor",
    ),
    (
        "single_reading_albuminuria_no_raas_start",
        {"sbp": 136, "dbp": 70, "conditions": ("E11.9",), "egfr": 80, "acr": 350},
        "acc-aha-raas",
        None,
    ),
    (
        "single_reading_on_treatment_no_change",
        {"sbp": 150, "dbp": 95, "meds": ("amlodipine",)},
        "acc-aha-above-target",
        None,
    ),
    ("normal_bp_nothing", {"sbp": 118, "dbp": 76}, "acc-aha-first-line", None),
    (
        "ascvd_high_intensity_statin",
        {"age": 65, "conditions": ("I25.10",)},
        "acc-aha-2018-statin-start",
        "start",
    ),
    (
        "ascvd_age_80_no_group",
        {"age": 80, "conditions": ("I25.10",)},
        "acc-aha-2018-statin-start",
        None,
    ),
    ("ldl_190_high_intensity", {"age": 30, "ldl": 195}, "acc-aha-2018-statin-start", "start"),
    (
        "primary_prevention_7_5_percent",
        {"age": 55, "ldl": 130, "ascvd_risk": 8.0},
        "acc-aha-2018-statin-start",
        "start",
    ),
    (
        "primary_prevention_5_percent",
        {"age": 55, "ldl": 130, "ascvd_risk": 5.0},
        "acc-aha-2018-statin-start",
        None,
    ),
    (
        "low_intensity_statin_in_ascvd_adjusted",
        {"age": 65, "conditions": ("I25.10",), "meds": (("simvastatin", 10),)},
        "acc-aha-2018-statin-intensity",
        "adjust",
    ),
    (
        "high_intensity_statin_in_ascvd_kept",
        {"age": 65, "conditions": ("I25.10",), "meds": (("atorvastatin", 80),)},
        "acc-aha-2018-statin-intensity",
        None,
    ),
]


@pytest.mark.parametrize(
    ("spec", "rule_id", "action"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_guideline_case_table(
    recommender: TreatmentRecommender,
    make_record: Any,
    spec: dict[str, Any],
    rule_id: str,
    action: str | None,
) -> None:
    report = recommender.recommend(make_record(**spec))
    hits = [r for r in report.recommendations if r.rule_id == rule_id]
    if action is None:
        assert hits == []
    else:
        assert [h.action.value for h in hits] == [action]
        assert hits[0].citation.year in {2017, 2018, 2024}


@pytest.mark.parametrize(
    ("sbp", "dbp", "category"),
    [
        (119, 79, "normal"),
        (120, 79, "elevated"),
        (129, 79, "elevated"),
        (130, 70, "stage 1"),
        (125, 80, "stage 1"),
        (139, 89, "stage 1"),
        (140, 70, "stage 2"),
        (120, 90, "stage 2"),
    ],
)
def test_acc_aha_2017_bp_categories(
    recommender: TreatmentRecommender, sbp: float, dbp: float, category: str
) -> None:
    assert bp_category(sbp, dbp, recommender.knowledge) == category


def test_high_intensity_dose_guidance_names_atorvastatin_40_to_80(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(age=65, conditions=("I25.10",)))
    rec = next(r for r in report.recommendations if r.drug_class == "statin")
    assert rec.dose_guidance is not None
    assert "atorvastatin 40–80 mg" in rec.dose_guidance
    assert "simvastatin" not in rec.dose_guidance


def test_slco1b1_poor_function_excludes_simvastatin_from_statin_start(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(
        make_record(age=55, conditions=("E11.9",), egfr=80, pgx={"SLCO1B1": "Poor Function"})
    )
    rec = next(r for r in report.recommendations if r.drug_class == "statin")
    assert rec.dose_guidance is not None and "simvastatin" not in rec.dose_guidance
    assert "SLCO1B1" in rec.rationale


@pytest.mark.parametrize(
    ("spec", "line"),
    [
        ({"conditions": ("E11.9",)}, "eGFR not available: metformin eligibility unknown"),
        (
            {"conditions": ("E11.9",), "egfr": 80},
            "HbA1c not available: glycaemic target not assessed",
        ),
        (
            {"sbp": 134, "dbp": 70},
            "10-year ASCVD risk not available: stage 1 drug-treatment threshold unknown",
        ),
        ({"conditions": ("I10",)}, "blood pressure not available: hypertension rules not applied"),
    ],
)
def test_missing_data_a_rule_needs_is_listed(
    recommender: TreatmentRecommender, make_record: Any, spec: dict[str, Any], line: str
) -> None:
    assert line in recommender.recommend(make_record(**spec)).missing
