"""Coverage: every report says which drugs were matched, which were not and what was checked."""

from __future__ import annotations

from collections.abc import Callable

from medlm.records import PatientRecord
from medlm.treatment import TreatmentRecommender

Builder = Callable[..., PatientRecord]


def test_clean_result_still_lists_matched_drugs_and_tables_checked(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(make_record(meds=("metformin 500 mg", "lisinopril 10 mg")))
    assert [i for i in report.issues if i.kind.value == "interaction"] == []
    cov = report.coverage
    by_name = {d.ingredient: d for d in cov.matched}
    assert set(by_name) == {"metformin", "lisinopril"}
    assert by_name["lisinopril"].classes == ["ace_inhibitor"]
    assert by_name["lisinopril"].interaction_rules > 0
    assert cov.pairs_checked == 1
    tables = {k.table: k for k in cov.knowledge}
    assert tables["drug interactions"].rules >= 150
    assert tables["drug interactions"].version == recommender.knowledge.interactions_version
    assert {"renal limits", "pregnancy", "pharmacogenomics (CPIC)"} <= set(tables)


def test_drug_no_interaction_rule_names_is_listed_as_without_data(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(make_record(meds=("metformin 500 mg", "warfarin 5 mg")))
    assert report.coverage.without_interaction_data == ["metformin"]


def test_unrecognised_medication_is_listed_as_unmatched(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    report = recommender.recommend(make_record(meds=("warfarin 5 mg", "zorblatin 10 mg")))
    assert [d.ingredient for d in report.coverage.matched] == ["warfarin"]
    assert any("zorblatin" in u for u in report.coverage.unmatched)
    assert report.coverage.pairs_checked == 0


def test_coverage_is_in_the_json_summary(
    recommender: TreatmentRecommender, make_record: Builder
) -> None:
    summary = recommender.recommend(make_record(meds=("digoxin 0.125 mg",))).summary()
    assert summary["coverage"]["matched"][0]["ingredient"] == "digoxin"
    assert summary["coverage"]["knowledge"][0]["table"] == "drug interactions"
