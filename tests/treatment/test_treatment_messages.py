"""Safety issues and recommendations carry their sentence as a message template: rendered in
English it is the issue's `detail` / the rationale byte for byte; in Chinese every template
has its translation and the patient's values are kept."""

from __future__ import annotations

import pytest

from medlm.i18n import message_parts, message_text
from medlm.messages import MessageRef
from medlm.records import CodeSystem, Coding, Observation, PatientRecord
from medlm.treatment import TreatmentRecommender, TreatmentReport

from .conftest import Builder
from .test_guidelines_hypertension import AS_OF, with_readings

# A physician's handful of patients, each meant to raise one kind of finding.
PATIENTS = {
    "kidney and diabetes": dict(
        age=67, conditions=("E11.9",), meds=(("metformin", 1000),), egfr=25, hba1c=8.4
    ),
    "new diabetes, kidneys fine": dict(age=78, conditions=("E11.9",), egfr=62, hba1c=8.9),
    "diabetes with CKD": dict(age=61, conditions=("E11.9", "N18.3"), egfr=48),
    "CKD with albuminuria and hypertension": dict(
        age=61, conditions=("E11.9", "N18.3", "I10"), egfr=48, acr=300
    ),
    "warfarin and aspirin": dict(meds=("warfarin", "aspirin")),
    "aspirin over the ticagrelor limit": dict(meds=(("aspirin", 325), "ticagrelor")),
    "penicillin allergy": dict(orders=("amoxicillin",), allergies=("penicillin",)),
    "two ACE inhibitors": dict(meds=("lisinopril", "ramipril")),
    "pregnant on lisinopril": dict(
        sex="female", age=30, meds=("lisinopril",), pregnancy_status="pregnant"
    ),
    "clopidogrel, CYP2C19 poor": dict(orders=("clopidogrel",), pgx={"CYP2C19": "Poor Metabolizer"}),
    "AF, woman of 76 with hypertension": dict(age=76, sex="female", conditions=("I48.91", "I10")),
    "AF on aspirin, BP uncontrolled": dict(
        age=76, conditions=("I48.91", "I10", "N18.4"), meds=("aspirin",), sbp=172, dbp=104
    ),
    "stage 2, one reading": dict(sbp=165, dbp=100),
    "stage 1, low ASCVD risk": dict(sbp=135, dbp=85, ascvd_risk=5),
    "on lisinopril above target": dict(meds=("lisinopril",), sbp=150, dbp=95),
    "albuminuria and stage 1": dict(sbp=138, dbp=88, acr=300, conditions=("E11.9",)),
    "diabetic on low-dose simvastatin": dict(
        age=58, conditions=("E11.9",), meds=(("simvastatin", 10),), egfr=70
    ),
    "diabetic on simvastatin by strength": dict(
        age=58, conditions=("E11.9",), meds=("simvastatin 10 mg tablet",), egfr=70
    ),
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


def test_blood_pressure_from_a_dated_mean_is_said_in_chinese(
    make_record: Builder, recommender: TreatmentRecommender
) -> None:
    record = with_readings(make_record(), (162, 98, 1), (158, 96, 3), (166, 102, 5))
    report = recommender.recommend(record, as_of=AS_OF)
    (first, *_) = [r for r in report.recommendations if r.rule_id == "acc-aha-first-line"]
    assert first.message is not None and message_text("en", first.message) == first.rationale
    said = message_text("zh_CN", first.message)
    assert (
        said
        == "血压 162/98.7 mmHg（2期高血压），近 90 天内 3 天共 3 次读数的均值：开始使用一线降压药"
    )


def _with_labs(record: PatientRecord, **labs: float) -> PatientRecord:
    """Add LVEF (%) or potassium (mmol/L) results, coded as the records boundary would."""
    codes = {"lvef": ("10230-1", "%"), "potassium": ("2823-3", "mmol/L")}
    added = [
        Observation(
            patient_id=record.patient.id,
            code=Coding(system=CodeSystem.LOINC, code=codes[name][0]),
            value=value,
            unit=codes[name][1],
            concept=name,
        )
        for name, value in labs.items()
    ]
    return record.model_copy(update={"observations": [*record.observations, *added]})


def test_heart_failure_sentences_render_exactly_and_in_chinese(
    make_record: Builder, recommender: TreatmentRecommender
) -> None:
    base = make_record(
        conditions=("I50.22",), meds=("lisinopril", "sacubitril/valsartan", "atenolol"), egfr=25
    )
    report = recommender.recommend(_with_labs(base, lvef=30, potassium=5.4))
    hf = {r.rule_id: r for r in report.recommendations if r.rule_id.startswith("aha-acc-hfref")}
    assert {"aha-acc-hfref-mra-not-eligible", "aha-acc-hfref-beta-blocker"} <= set(hf)
    for rule, r in hf.items():
        assert r.message is not None and message_text("en", r.message) == r.rationale, rule
    mra = hf["aha-acc-hfref-mra-not-eligible"].message
    assert mra is not None
    assert message_text("zh_CN", mra).startswith(
        "射血分数降低的心力衰竭（HFrEF，LVEF 30%）：eGFR 25 不高于 30；血钾 5.4 mmol/L 不低于 5.0"
    )


def test_nothing_fires_for_a_patient_without_drugs_or_findings(
    make_record: Builder, recommender: TreatmentRecommender
) -> None:
    report = recommender.recommend(make_record())
    assert _messages(report) == []


@pytest.mark.parametrize(
    ("tumour", "gene", "change"),
    [
        ("nsclc", "EGFR", "p.Leu858Arg"),
        ("colorectal", "BRAF", "V600E"),
        ("melanoma", "BRAF", "V600K"),
    ],
)
def test_targeted_therapy_rationales_render_exactly_and_in_chinese(
    tumour: str, gene: str, change: str | None, recommender: TreatmentRecommender
) -> None:
    from medlm.records import GenomicSource

    from .test_oncology import TODAY, patient, targeted

    report = recommender.recommend(
        patient(tumour, variants=((gene, change, GenomicSource.UNKNOWN),)), TODAY
    )
    assert targeted(report), "no targeted therapy: the case does not test the templates"
    for r in targeted(report):
        assert r.message is not None and message_text("en", r.message) == r.rationale
        assert "中的肿瘤变异（未记录基因组来源；按体细胞变异解读）" in message_text(
            "zh_CN", r.message
        )
