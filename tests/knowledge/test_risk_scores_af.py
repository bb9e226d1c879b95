"""CHA2DS2-VASc and HAS-BLED tables: points pinned to the cited score, scored from facts."""

from __future__ import annotations

import pytest

from medlm.knowledge.risk_scores import load_score
from medlm.knowledge.treatment import load_treatment_knowledge
from medlm.records import Sex
from medlm.treatment.context import PatientDrug, PatientFacts
from medlm.treatment.guidelines.scores import cha2ds2_vasc, has_bled
from medlm.treatment.labs import LabValue

K = load_treatment_knowledge()


def test_cha2ds2_vasc_points_are_pinned_and_total_9() -> None:
    items = load_score("cha2ds2_vasc").items
    points = {n: i.get("points") for n, i in items.items() if "points" in i}
    assert points == {
        "congestive_heart_failure": 1,
        "hypertension": 1,
        "diabetes": 1,
        "stroke_tia_thromboembolism": 2,
        "vascular_disease": 1,
        "female_sex": 1,
    }
    assert [b["points"] for b in items["age"]["bands"]] == [0, 1, 2]
    assert [b.get("below") for b in items["age"]["bands"]] == [65, 75, None]


def test_has_bled_has_nine_one_point_items() -> None:
    table = load_score("has_bled")
    assert len(table.items) == 9 and {i["points"] for i in table.items.values()} == {1}
    assert (table.model_extra or {})["high_risk_at_least"] == 3


@pytest.mark.parametrize(
    ("age", "sex", "conditions", "expected"),
    [
        (50, Sex.MALE, set(), 0),
        (64, Sex.FEMALE, set(), 1),
        (65, Sex.MALE, set(), 1),
        (75, Sex.MALE, set(), 2),
        (70, Sex.MALE, {"hypertension"}, 2),
        (80, Sex.FEMALE, {"heart_failure", "hypertension", "diabetes", "stroke"}, 8),
        (
            80,
            Sex.FEMALE,
            {"heart_failure", "hypertension", "diabetes", "stroke", "coronary_artery_disease"},
            9,
        ),
    ],
)
def test_cha2ds2_vasc_from_facts(age: float, sex: Sex, conditions: set[str], expected: int) -> None:
    facts = PatientFacts(patient_id="p", age=age, sex=sex, conditions=conditions)
    result = cha2ds2_vasc(facts, K)
    assert result.points == expected and result.unknown == []


def test_cha2ds2_vasc_lists_unknown_age_and_sex_as_a_lower_bound() -> None:
    result = cha2ds2_vasc(PatientFacts(patient_id="p", conditions={"hypertension"}), K)
    assert result.points == 1 and result.unknown == ["age", "sex"]
    assert result.text() == "CHA2DS2-VASc at least 1 (hypertension 1)"


def test_has_bled_reads_blood_pressure_kidney_age_and_drugs() -> None:
    facts = PatientFacts(
        patient_id="p",
        age=70,
        conditions={"stroke", "dialysis_or_kidney_transplant"},
        labs={"systolic_bp": LabValue(value=165)},
        drugs=[PatientDrug(ingredient="naproxen", label="naproxen")],
    )
    result = has_bled(facts, K)
    assert result.scored == {
        "uncontrolled_hypertension": 1,
        "abnormal_renal_function": 1,
        "stroke": 1,
        "elderly": 1,
        "drugs": 1,
    }
    assert "labile INR (time in therapeutic range < 60%)" not in result.not_read  # no warfarin


def test_has_bled_creatinine_2_3_mg_dl_scores_renal_and_labile_inr_is_listed_on_warfarin() -> None:
    facts = PatientFacts(
        patient_id="p",
        age=60,
        labs={"creatinine": LabValue(value=2.3), "systolic_bp": LabValue(value=130)},
        drugs=[PatientDrug(ingredient="warfarin", label="warfarin")],
    )
    result = has_bled(facts, K)
    assert result.scored == {"abnormal_renal_function": 1}
    assert "labile INR (time in therapeutic range < 60%)" in result.not_read
