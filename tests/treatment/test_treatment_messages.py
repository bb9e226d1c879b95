"""Safety issues and recommendations carry their sentence as a message template: rendered in
English it is the issue's `detail` / the rationale byte for byte; in Chinese every template
has its translation and the patient's values are kept."""

from __future__ import annotations

import pytest

from medlm.i18n import message_parts, message_text
from medlm.messages import MessageRef
from medlm.treatment import TreatmentRecommender, TreatmentReport

from .conftest import Builder

# A physician's handful of patients, each meant to raise one kind of finding.
PATIENTS = {
    "kidney and diabetes": dict(
        age=67, conditions=("E11.9",), meds=(("metformin", 1000),), egfr=25, hba1c=8.4
    ),
    "new diabetes, kidneys fine": dict(age=78, conditions=("E11.9",), egfr=62, hba1c=8.9),
    "diabetes with CKD": dict(age=61, conditions=("E11.9", "N18.3"), egfr=48),
    "warfarin and aspirin": dict(meds=("warfarin", "aspirin")),
    "aspirin over the ticagrelor limit": dict(meds=(("aspirin", 325), "ticagrelor")),
    "penicillin allergy": dict(orders=("amoxicillin",), allergies=("penicillin",)),
    "two ACE inhibitors": dict(meds=("lisinopril", "ramipril")),
    "pregnant on lisinopril": dict(
        sex="female", age=30, meds=("lisinopril",), pregnancy_status="pregnant"
    ),
    "clopidogrel, CYP2C19 poor": dict(orders=("clopidogrel",), pgx={"CYP2C19": "Poor Metabolizer"}),
}


def _messages(report: TreatmentReport) -> list[tuple[str, MessageRef | None, str]]:
    found: list[tuple[str, MessageRef | None, str]] = [
        (i.rule_id, i.message, i.detail) for i in report.issues
    ]
    found += [(r.rule_id, r.message, r.rationale) for r in report.recommendations]
    return found


@pytest.mark.parametrize("case", sorted(PATIENTS))
def test_messages_render_the_english_text_exactly(
    case: str, make_record: Builder, recommender: TreatmentRecommender
) -> None:
    report = recommender.recommend(make_record(**PATIENTS[case]))
    templated = [(rule, ref, text) for rule, ref, text in _messages(report) if ref is not None]
    assert templated, f"{case}: nothing templated"
    for rule, ref, text in templated:
        assert message_text("en", ref) == text, rule
        assert ref == type(ref).model_validate_json(ref.model_dump_json())


@pytest.mark.parametrize("case", sorted(PATIENTS))
def test_every_templated_sentence_has_a_chinese_translation(
    case: str, make_record: Builder, recommender: TreatmentRecommender
) -> None:
    report = recommender.recommend(make_record(**PATIENTS[case]))
    for rule, ref, text in _messages(report):
        if ref is None:
            continue
        parts = message_parts("zh_CN", ref)
        assert "".join(p.text for p in parts) != text, rule  # not the English fallback
        assert any(not p.english and p.text.strip() for p in parts), rule


def test_kidney_issue_and_metformin_stop_in_chinese_keep_the_patients_egfr(
    make_record: Builder, recommender: TreatmentRecommender
) -> None:
    report = recommender.recommend(make_record(**PATIENTS["kidney and diabetes"]))
    (renal,) = [i for i in report.issues if i.kind.value == "dose" or "egfr" in i.rule_id]
    assert renal.message is not None
    assert message_text("zh_CN", renal.message).startswith("metformin，eGFR 25：")
    (stop,) = [r for r in report.recommendations if r.rule_id == "ada-metformin-stop"]
    assert stop.message is not None
    assert message_text("zh_CN", stop.message) == "eGFR 25 低于 30：停用二甲双胍"


def test_hba1c_target_in_chinese_names_the_relaxed_target_and_the_age(
    make_record: Builder, recommender: TreatmentRecommender
) -> None:
    report = recommender.recommend(make_record(**PATIENTS["new diabetes, kidneys fine"]))
    (hba1c,) = [r for r in report.recommendations if r.rule_id == "ada-hba1c-target"]
    assert hba1c.message is not None
    said = message_text("zh_CN", hba1c.message)
    assert said.startswith(
        "糖化血红蛋白（HbA1c）8.9% 达到或高于个体化目标（低于 8%）（年龄 78 岁）"
    )


def test_nothing_fires_for_a_patient_without_drugs_or_findings(
    make_record: Builder, recommender: TreatmentRecommender
) -> None:
    report = recommender.recommend(make_record())
    assert _messages(report) == []
