"""Atrial fibrillation (2023 ACC/AHA/ACCP/HRS): anticoagulation by CHA2DS2-VASc, as a physician
would check it: the score in the rationale, class 1 versus 2a by sex, DOAC unless a mechanical
valve or mitral stenosis, nothing for a patient already anticoagulated."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from medlm.records import Patient
from medlm.treatment import TreatmentRecommender
from medlm.treatment.results import Action, Recommendation

AS_OF = datetime(2026, 1, 1)
AF, HTN = "I48.91", "I10"


def _anticoagulation(report: Any) -> list[Recommendation]:
    return [r for r in report.recommendations if r.rule_id.startswith("acc-aha-af-anticoag")]


def test_man_aged_70_with_af_and_hypertension_is_recommended_anticoagulation(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    # CHA2DS2-VASc: hypertension 1 + age 65-74 1 = 2, the class 1 threshold for men
    record = make_record(sex="male", conditions=(AF, HTN))
    born_1955 = record.patient.model_copy(update={"age": None, "birth_date": date(1955, 6, 1)})
    report = recommender.recommend(record.model_copy(update={"patient": born_1955}), AS_OF)
    [rec] = _anticoagulation(report)
    assert rec.action == Action.START
    assert rec.strength == "COR 1, LOE A"
    assert "CHA2DS2-VASc 2 (hypertension 1, age 1)" in rec.rationale
    assert "oral anticoagulation is recommended" in rec.rationale
    assert rec.drug_class == "direct oral anticoagulant (DOAC)"
    assert "Section 6.3.1, recommendation 1" in rec.citation.section


def test_woman_aged_66_with_af_alone_scores_2_and_gets_reasonable_not_class_1(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(age=66, sex="female", conditions=(AF,)), AS_OF)
    [rec] = _anticoagulation(report)
    assert rec.rule_id == "acc-aha-af-anticoagulation-reasonable"
    assert rec.strength == "COR 2a, LOE A"
    assert "CHA2DS2-VASc 2 (age 1, female sex 1)" in rec.rationale
    assert "is reasonable" in rec.rationale


def test_woman_with_score_3_is_class_1(recommender: TreatmentRecommender, make_record: Any) -> None:
    spec = {"age": 66, "sex": "female", "conditions": (AF, HTN)}
    [rec] = _anticoagulation(recommender.recommend(make_record(**spec), AS_OF))
    assert rec.strength == "COR 1, LOE A" and "CHA2DS2-VASc 3" in rec.rationale


def test_man_aged_50_with_af_alone_gets_no_anticoagulation(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(age=50, sex="male", conditions=(AF,)), AS_OF)
    assert _anticoagulation(report) == []


def test_already_anticoagulated_patient_is_not_told_to_start(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    for drug in ("apixaban", "warfarin", "Eliquis 5 mg"):
        spec = {"age": 80, "conditions": (AF, HTN, "E11.9"), "meds": (drug,)}
        assert _anticoagulation(recommender.recommend(make_record(**spec), AS_OF)) == []


def test_mitral_stenosis_names_warfarin_not_a_doac(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    spec = {"age": 72, "conditions": (AF, HTN, "I05.0")}
    [rec] = _anticoagulation(recommender.recommend(make_record(**spec), AS_OF))
    assert rec.drug_class == "vitamin K antagonist: warfarin"
    assert "mitral stenosis: warfarin, not a DOAC" in rec.rationale


def test_prosthetic_valve_of_unknown_type_is_said_not_assumed(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    spec = {"age": 72, "conditions": (AF, HTN, "Z95.2")}
    report = recommender.recommend(make_record(**spec), AS_OF)
    assert any("prosthetic heart valve of unrecorded type" in m for m in report.missing)


def test_unknown_age_below_threshold_is_listed_not_decided(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(sex="male", conditions=(AF,))
    unknown_age = record.model_copy(update={"patient": Patient(id="p1", sex="male")})
    report = recommender.recommend(unknown_age, AS_OF)
    assert _anticoagulation(report) == []
    assert any("CHA2DS2-VASc: age not available" in m for m in report.missing)
    assert any(
        "anticoagulation threshold for atrial fibrillation not decided" in m for m in report.missing
    )


def test_has_bled_items_the_record_cannot_show_are_listed(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(age=70, conditions=(AF, HTN)), AS_OF)
    assert (
        "HAS-BLED items not read from the record (counted 0): bleeding history or "
        "predisposition, alcohol excess (>= 8 units a week)"
    ) in report.missing


def test_high_has_bled_names_the_antiplatelet_but_does_not_withhold_anticoagulation(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    # HAS-BLED: stroke 1 + elderly 1 + drugs (aspirin) 1 = 3
    spec = {"age": 78, "conditions": (AF, "I63.9"), "meds": ("aspirin",)}
    report = recommender.recommend(make_record(**spec), AS_OF)
    [bleed] = [r for r in report.recommendations if r.rule_id == "acc-aha-af-has-bled-high"]
    assert bleed.action == Action.MONITOR
    assert "HAS-BLED 3" in bleed.rationale or "HAS-BLED at least 3" in bleed.rationale
    assert "aspirin" in bleed.rationale
    assert [r.action for r in _anticoagulation(report)] == [Action.START]


def test_no_atrial_fibrillation_no_af_rule(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(age=80, conditions=(HTN, "E11.9")), AS_OF)
    assert not any(r.rule_id.startswith("acc-aha-af") for r in report.recommendations)
    assert not any("CHA2DS2-VASc" in m or "HAS-BLED" in m for m in report.missing)
