"""TreatmentRecommender: the acceptance cases, re-checking of proposals, ranking, bad input."""

from __future__ import annotations

from typing import Any

from medlm.records import CodeSystem, Coding, MedicationRequest, Observation
from medlm.treatment import Action, TreatmentRecommender


def test_cyp2c19_poor_metabolizer_with_clopidogrel_order_gets_cpic_issue_and_alternative(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(orders=("clopidogrel",), pgx={"CYP2C19": "Poor Metabolizer"})
    report = recommender.recommend(record)
    pgx = [i for i in report.issues if i.kind.value == "pharmacogenomic"]
    assert [(i.severity.value, i.drugs) for i in pgx] == [("high", ["clopidogrel"])]
    assert "CPIC" in str(pgx[0].citation) and pgx[0].citation.year == 2022
    starts = [r for r in report.recommendations if r.action == Action.START]
    alternative = next(r for r in starts if r.rule_id == "cyp2c19-clopidogrel")
    assert alternative.drug_class is not None
    assert "prasugrel" in alternative.drug_class and "ticagrelor" in alternative.drug_class
    assert alternative.safety_issues == []  # the replaced clopidogrel is not a duplicate
    avoid = next(r for r in report.recommendations if r.drug == "clopidogrel")
    assert avoid.action == Action.AVOID  # a draft order: avoid rather than stop


def test_egfr_25_on_metformin_yields_contraindication(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(conditions=("E11.9",), meds=("metformin",), egfr=25))
    contra = [i for i in report.issues if i.kind.value == "contraindication"]
    assert [(i.severity.value, i.drugs) for i in contra] == [("high", ["metformin"])]
    assert "eGFR 25" in contra[0].detail
    assert report.recommendations[0].action == Action.STOP
    assert report.recommendations[0].drug == "metformin"


def test_pregnant_patient_on_lisinopril_yields_high_pregnancy_issue(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(sex="female", age=30, meds=("lisinopril",), pregnancy_status="pregnant")
    report = recommender.recommend(record)
    preg = [i for i in report.issues if i.kind.value == "pregnancy"]
    assert [(i.severity.value, i.drugs) for i in preg] == [("high", ["lisinopril"])]


def test_start_recommendation_flagged_by_safety_engine_is_blocked_and_ranked_last(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(conditions=("E11.9",), egfr=80, allergies=("metformin",), sbp=150, dbp=95)
    report = recommender.recommend(record)
    metformin = next(r for r in report.recommendations if r.drug == "metformin")
    assert metformin.blocked
    assert [i.kind.value for i in metformin.safety_issues] == ["allergy"]
    assert report.recommendations[-1] is metformin


def test_rationale_uses_the_patients_own_values(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(sbp=152, dbp=91))
    assert any("BP 152/91 mmHg (stage 2)" in r.rationale for r in report.recommendations)


def test_a_value_not_in_the_canonical_unit_is_reported_not_used(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    obs = Observation(
        id="o1",
        patient_id="p1",
        value=1.1,
        unit="mg/dL",
        code=Coding(system=CodeSystem.LOINC, code="62238-1"),
        concept="egfr",
    )
    record = make_record().model_copy(update={"observations": [obs]})
    facts = recommender.facts(record)
    assert facts.lab("egfr") is None
    assert facts.missing == ["eGFR 1.1 mg/dL (Observation/o1) is not in mL/min/{1.73_m2}: not used"]


def test_active_clopidogrel_order_for_poor_metabolizer_is_stopped_for_an_alternative(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    order = MedicationRequest(id="o1", patient_id="p1", name="Plavix 75 mg")  # status active
    record = make_record(pgx={"CYP2C19": "CYP2C19 Poor Metabolizer"})
    report = recommender.recommend(record.model_copy(update={"medication_requests": [order]}))
    issue = next(i for i in report.issues if i.kind.value == "pharmacogenomic")
    assert issue.severity.value == "high" and issue.references == ["MedicationRequest/o1"]
    actions = {(r.action.value, r.drug or r.drug_class) for r in report.recommendations}
    assert ("stop", "clopidogrel") in actions
    assert ("start", "P2Y12 inhibitor: prasugrel or ticagrelor") in actions


def test_a_record_with_nothing_to_check_says_so_instead_of_looking_clean(
    recommender: TreatmentRecommender,
) -> None:
    from medlm.records import Patient, PatientRecord

    report = recommender.recommend(PatientRecord(patient=Patient(id="empty", age=70)))
    assert report.recommendations == [] and report.issues == []
    heads = [m.split(":")[0] for m in report.missing]
    assert "LDL-C or 10-year ASCVD risk not available" in heads  # age 70: the statin rule asks
    assert [h for h in heads if h.startswith("no ")] == [
        "no active or proposed medication recorded",
        "no active problem the guideline rules know (diabetes, hypertension, CKD, "
        "cardiovascular disease, heart failure) recorded",
        "no allergy list recorded (not even 'no known allergies')",
    ]
    # an order being signed is checked for its own issues only: no review-coverage lines
    assert recommender.check(PatientRecord(patient=Patient(id="empty", age=70))).missing == []
