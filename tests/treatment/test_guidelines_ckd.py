"""CKD (KDIGO 2024): ACE inhibitor or ARB for albuminuria with diabetes or hypertension, and an
SGLT2 inhibitor at eGFR >= 20 with type 2 diabetes, heart failure or ACR >= 200 mg/g."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medlm.treatment import TreatmentRecommender
from medlm.treatment.results import Action

AS_OF = datetime(2026, 1, 1)


def _rules(report: Any) -> dict[str, Action]:
    return {r.rule_id: r.action for r in report.recommendations}


def test_ckd_with_acr_300_and_diabetes_gets_ace_inhibitor_or_arb(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(conditions=("N18.3", "E11.9"), acr=300, egfr=45)
    report = recommender.recommend(record, AS_OF)
    [raas] = [r for r in report.recommendations if r.rule_id == "kdigo-2024-ckd-raas"]
    assert raas.action == Action.START
    assert raas.drug_class == "ACE inhibitor or angiotensin II receptor blocker"
    assert raas.strength == "KDIGO 1B" and "ACR 300 mg/g" in raas.rationale


def test_ckd_with_moderate_albuminuria_and_hypertension_is_a_suggestion(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(conditions=("N18.3", "I10"), acr=80, egfr=50)
    [raas] = [
        r
        for r in recommender.recommend(record, AS_OF).recommendations
        if r.rule_id == "kdigo-2024-ckd-raas"
    ]
    assert raas.strength == "KDIGO 2C"


def test_ckd_already_on_an_arb_gets_no_raas_start(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(conditions=("N18.3", "E11.9"), acr=300, egfr=45, meds=("losartan",))
    assert "kdigo-2024-ckd-raas" not in _rules(recommender.recommend(record, AS_OF))


def test_ckd_without_albuminuria_gets_no_raas_start(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(conditions=("N18.3", "I10"), acr=12, egfr=50)
    assert "kdigo-2024-ckd-raas" not in _rules(recommender.recommend(record, AS_OF))


def test_ckd_without_acr_says_albuminuria_was_not_assessed(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(conditions=("N18.3", "I10"), egfr=50), AS_OF)
    assert any(m.startswith("urine ACR not available: KDIGO") for m in report.missing)


def test_non_diabetic_ckd_with_acr_250_and_egfr_30_gets_sglt2i(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(conditions=("N18.4",), acr=250, egfr=30)
    [sglt2] = [
        r
        for r in recommender.recommend(record, AS_OF).recommendations
        if r.rule_id == "kdigo-2024-ckd-sglt2"
    ]
    assert sglt2.strength == "KDIGO 1A" and "eGFR 30" in sglt2.rationale


def test_egfr_below_20_gets_no_sglt2i(recommender: TreatmentRecommender, make_record: Any) -> None:
    record = make_record(conditions=("N18.5",), acr=250, egfr=15)
    assert "kdigo-2024-ckd-sglt2" not in _rules(recommender.recommend(record, AS_OF))


def test_diabetic_ckd_gets_one_sglt2i_start_naming_both_guidelines(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(conditions=("N18.3", "E11.9"), acr=300, egfr=45)
    starts = [
        r
        for r in recommender.recommend(record, AS_OF).recommendations
        if r.drug_class == "SGLT2 inhibitor"
    ]
    assert len(starts) == 1 and "kdigo-2024-ckd-sglt2" in starts[0].rationale


def test_no_ckd_no_kdigo_rule(recommender: TreatmentRecommender, make_record: Any) -> None:
    record = make_record(conditions=("E11.9",), acr=300, egfr=45)
    assert not any(r.startswith("kdigo") for r in _rules(recommender.recommend(record, AS_OF)))
