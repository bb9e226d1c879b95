"""Interaction checks on hand-built patients, as a prescriber would review a medication list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from medlm.records import PatientRecord
from medlm.treatment import TreatmentRecommender
from medlm.treatment.results import TreatmentReport

Builder = Callable[..., PatientRecord]


def _pairs(report: TreatmentReport) -> set[tuple[str, ...]]:
    return {tuple(i.drugs) for i in report.issues if i.kind.value == "interaction"}


def _rule(report: TreatmentReport, rule_id: str) -> list[str]:
    return [i.detail for i in report.issues if i.rule_id == rule_id]


@pytest.mark.parametrize(
    ("meds", "pair"),
    [
        (("warfarin 5 mg", "clopidogrel 75 mg"), ("clopidogrel", "warfarin")),
        (("verapamil 120 mg", "digoxin 0.125 mg"), ("digoxin", "verapamil")),
        (("clopidogrel 75 mg", "naproxen 500 mg"), ("clopidogrel", "naproxen")),
        (("apixaban 5 mg", "aspirin 81 mg"), ("apixaban", "aspirin")),
        (("lisinopril 10 mg", "spironolactone 25 mg"), ("lisinopril", "spironolactone")),
        (("metoprolol 50 mg", "diltiazem 120 mg"), ("diltiazem", "metoprolol")),
        (
            ("sildenafil 50 mg", "isosorbide mononitrate 30 mg"),
            ("isosorbide mononitrate", "sildenafil"),
        ),
        (("methotrexate 15 mg", "sulfamethoxazole 800 mg"), ("methotrexate", "sulfamethoxazole")),
        (("sertraline 50 mg", "linezolid 600 mg"), ("linezolid", "sertraline")),
        (("oxycodone 5 mg", "alprazolam 0.5 mg"), ("alprazolam", "oxycodone")),
        (("amiodarone 200 mg", "citalopram 20 mg"), ("amiodarone", "citalopram")),
    ],
)
def test_interacting_pair_yields_an_issue_naming_both_drugs(
    recommender: TreatmentRecommender,
    make_record: Builder,
    meds: tuple[str, str],
    pair: tuple[str, str],
) -> None:
    report = recommender.recommend(make_record(meds=meds))
    assert pair in _pairs(report)
    issue = next(i for i in report.issues if tuple(i.drugs) == pair)
    assert "Mechanism:" in issue.detail and "Management:" in issue.detail


def test_simvastatin_20_mg_with_verapamil_is_over_the_10_mg_limit(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(make_record(meds=(("simvastatin", 20), ("verapamil", 240))))
    (detail,) = _rule(report, "label-simvastatin-verapamil")
    assert "above the 10 mg limit" in detail and "10 mg a day" in detail


def test_simvastatin_10_mg_with_verapamil_is_within_the_limit(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(make_record(meds=(("simvastatin", 10), ("verapamil", 240))))
    assert _rule(report, "label-simvastatin-verapamil") == []
    assert not any("simvastatin dose not recorded" in m for m in report.missing)


def test_simvastatin_without_a_dose_with_verapamil_says_dose_not_recorded(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(make_record(meds=("simvastatin", ("verapamil", 240))))
    assert _rule(report, "label-simvastatin-verapamil") == []
    assert any(
        "simvastatin dose not recorded" in m and "10 mg with verapamil" in m for m in report.missing
    )


def test_lovastatin_40_mg_with_amiodarone_is_at_the_label_limit(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    at_limit = recommender.recommend(make_record(meds=(("lovastatin", 40), ("amiodarone", 200))))
    above = recommender.recommend(make_record(meds=(("lovastatin", 80), ("amiodarone", 200))))
    assert _rule(at_limit, "label-lovastatin-amiodarone") == []
    assert len(_rule(above, "label-lovastatin-amiodarone")) == 1


def test_af_and_coronary_patient_gets_every_expected_pair(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    record = make_record(
        age=74,
        conditions=("I48.91", "I25.10"),
        meds=(
            ("warfarin", 5),
            ("clopidogrel", 75),
            ("verapamil", 240),
            ("digoxin", 0.125),
            ("simvastatin", 20),
            ("amlodipine", 5),
        ),
    )
    report = recommender.recommend(record)
    pairs = _pairs(report)
    assert {
        ("clopidogrel", "warfarin"),
        ("digoxin", "verapamil"),
        ("simvastatin", "verapamil"),
    } <= pairs
    # simvastatin 20 mg is within the 20 mg limit with amlodipine
    assert ("amlodipine", "simvastatin") not in pairs


def test_two_oral_anticoagulants_are_flagged(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(make_record(meds=("warfarin 5 mg", "apixaban 5 mg")))
    assert _rule(report, "label-warfarin-doac")


def test_two_doacs_are_flagged_as_duplicate_therapy(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(make_record(meds=("apixaban 5 mg", "rivaroxaban 20 mg")))
    assert [i.kind.value for i in report.issues if i.rule_id == "duplicate-doac"] == ["duplicate"]


@pytest.mark.parametrize(
    "meds",
    [
        ("metformin 500 mg", "lisinopril 10 mg"),
        ("atorvastatin 40 mg", "amlodipine 5 mg"),
        ("apixaban 5 mg", "metoprolol 50 mg"),
        (("simvastatin", 20), ("amlodipine", 10)),
    ],
)
def test_non_interacting_medication_lists_raise_no_interaction(
    recommender: TreatmentRecommender, make_record: Builder, meds: tuple[Any, ...]
) -> None:
    report = recommender.recommend(make_record(meds=meds))
    assert [i for i in report.issues if i.kind.value in ("interaction", "duplicate")] == []


def test_combination_product_ingredients_are_each_checked(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(
        make_record(
            meds=(
                "Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet",
                "Alprazolam 0.25 MG Oral Tablet",
            )
        )
    )
    assert ("alprazolam", "oxycodone") in _pairs(report)


def test_ingredients_of_one_combination_product_are_not_a_pair(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(
        make_record(meds=("sacubitril 49 MG / valsartan 51 MG Oral Tablet",))
    )
    assert {d.ingredient for d in report.coverage.matched} == {"sacubitril", "valsartan"}
    assert _pairs(report) == set()


def test_potassium_chloride_in_meq_with_lisinopril_is_flagged(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(
        make_record(meds=("Potassium Chloride 20 MEQ Extended Release Tablet", "lisinopril 10 mg"))
    )
    assert ("lisinopril", "potassium chloride") in _pairs(report)


def test_strength_in_the_name_stands_in_for_an_unrecorded_dose_and_says_so(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    over = recommender.recommend(
        make_record(meds=("Simvastatin 40 MG Oral Tablet", "verapamil 240 mg"))
    )
    (detail,) = _rule(over, "label-simvastatin-verapamil")
    assert "product strength 40 mg, above the 10 mg limit" in detail
    within = recommender.recommend(
        make_record(meds=("Simvastatin 10 MG Oral Tablet", "verapamil 240 mg"))
    )
    assert _rule(within, "label-simvastatin-verapamil") == []
    assert any("10 mg product strength was taken as the dose" in m for m in within.missing)
