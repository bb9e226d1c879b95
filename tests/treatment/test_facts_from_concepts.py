"""Patient facts from concepts: comparators read conservatively, freshness, SNOMED problems,
RxNorm doses, age at the as-of time and the deceased refusal (hand-built patients)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from medlm.errors import DeceasedPatientError
from medlm.knowledge.concepts import load_concepts
from medlm.records import (
    CodeSystem,
    Coding,
    Condition,
    Dose,
    MedicationStatement,
    Observation,
    Patient,
    PatientRecord,
)
from medlm.treatment import TreatmentRecommender
from medlm.treatment.labs import LabValue

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
EGFR = ("62238-1", "mL/min/{1.73_m2}", "egfr")


def _egfr(value: float, comparator: Any = None, when: datetime | None = None) -> Observation:
    return Observation(
        id="e1",
        patient_id="p1",
        code=Coding(system=CodeSystem.LOINC, code=EGFR[0]),
        value=value,
        unit=EGFR[1],
        comparator=comparator,
        concept=EGFR[2],
        effective=when,
    )


def _ckd_on_metformin(egfr: Observation) -> PatientRecord:
    coding = Coding(system=CodeSystem.ICD10CM, code="N18.3")
    return PatientRecord(
        patient=Patient(id="p1", age=68, sex="male"),
        observations=[egfr],
        conditions=[
            Condition(
                patient_id="p1",
                code=coding,
                concepts=sorted(load_concepts().condition_concepts(coding)),
            )
        ],
        medication_statements=[MedicationStatement(id="m1", patient_id="p1", name="metformin")],
    )


def _renal(report: Any) -> list[str]:
    return [i.rule_id for i in report.issues if "egfr" in i.rule_id]


def test_ckd_with_egfr_above_60_on_metformin_has_no_kidney_issue(
    recommender: TreatmentRecommender,
) -> None:
    report = recommender.check(_ckd_on_metformin(_egfr(60, ">")), as_of=AS_OF)
    assert _renal(report) == []
    assert not any("eGFR" in m for m in report.missing)


def test_ckd_with_egfr_25_on_metformin_is_a_kidney_contraindication(
    recommender: TreatmentRecommender,
) -> None:
    report = recommender.check(_ckd_on_metformin(_egfr(25)), as_of=AS_OF)
    assert _renal(report) == ["metformin-egfr-below-30"]
    assert report.issues[0].detail.startswith("metformin with eGFR 25:")


def test_egfr_below_15_counts_as_below_30(recommender: TreatmentRecommender) -> None:
    report = recommender.check(_ckd_on_metformin(_egfr(15, "<")), as_of=AS_OF)
    assert _renal(report) == ["metformin-egfr-below-30"]
    assert "eGFR <15" in report.issues[0].detail


def test_an_undecidable_bound_is_reported_never_guessed(
    recommender: TreatmentRecommender,
) -> None:
    report = recommender.recommend(_ckd_on_metformin(_egfr(20, ">")), as_of=AS_OF)
    assert _renal(report) == []
    assert (
        "eGFR >20 cannot tell whether the metformin limit for eGFR below 30 applies: not checked"
        in report.missing
    )
    assert not any(r.drug == "metformin" for r in report.recommendations)


@pytest.mark.parametrize(
    ("value", "comparator", "cut", "below"),
    [
        (60, ">", 30, False),
        (60, ">", 45, False),
        (60, ">=", 60, False),
        (15, "<", 30, True),
        (30, "<=", 30, None),
        (20, ">", 30, None),
        (29.9, None, 30, True),
        (30, None, 30, False),
    ],
)
def test_lab_bounds_answer_below_conservatively(
    value: float, comparator: Any, cut: float, below: bool | None
) -> None:
    assert LabValue(value=value, comparator=comparator).below(cut) is below


def test_egfr_in_ml_per_min_is_not_used_as_egfr(recommender: TreatmentRecommender) -> None:
    unnormalized = _egfr(25).model_copy(update={"unit": "mL/min", "concept": "egfr_unnormalized"})
    report = recommender.check(_ckd_on_metformin(unnormalized), as_of=AS_OF)
    assert _renal(report) == []
    assert any(m.startswith("eGFR recorded only in mL/min") for m in report.missing)
    assert "eGFR not available: metformin kidney limits unknown" in report.missing


def test_snomed_chronic_congestive_heart_failure_is_recognised(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    hf = Coding(system=CodeSystem.SNOMED, code="88805009", display="Chronic congestive HF")
    condition = Condition(
        patient_id="p1", code=hf, concepts=sorted(load_concepts().condition_concepts(hf))
    )
    base = make_record(conditions=("E11.9",), egfr=70)
    record = base.model_copy(update={"conditions": [*base.conditions, condition]})
    assert "heart_failure" in recommender.facts(record, AS_OF).conditions
    report = recommender.recommend(record, as_of=AS_OF)
    assert "ada-cardiorenal-heart_failure" in {r.rule_id for r in report.recommendations}


def test_rxnorm_simvastatin_20_mg_tablet_with_a_unitless_dose_of_1_is_20_mg(
    recommender: TreatmentRecommender,
) -> None:
    med = MedicationStatement(
        id="s1",
        patient_id="p1",
        code=Coding(
            system=CodeSystem.RXNORM, code="312961", display="simvastatin 20 MG Oral Tablet"
        ),
        dose=Dose(value=1),
    )
    record = PatientRecord(patient=Patient(id="p1", age=60), medication_statements=[med])
    drug = recommender.facts(record, AS_OF).drugs[0]
    assert (drug.ingredient, drug.dose_mg) == ("simvastatin", 20.0)


def test_a_stale_ldl_is_reported_not_used(make_record: Any) -> None:
    recommender = TreatmentRecommender(freshness_days={"ldl_cholesterol": 365})
    record = make_record(age=30, ldl=195)
    old = record.observations[0].model_copy(update={"effective": datetime(2020, 5, 1)})
    report = recommender.recommend(record.model_copy(update={"observations": [old]}), AS_OF)
    assert report.recommendations == []
    assert (
        "LDL cholesterol from 2020-05-01 is stale: older than 365 days at 2026-01-01, not used"
        in report.missing
    )


def test_a_fresh_ldl_of_195_starts_a_high_intensity_statin(make_record: Any) -> None:
    recommender = TreatmentRecommender(freshness_days={"ldl_cholesterol": 365})
    record = make_record(age=30, ldl=195)
    fresh = record.observations[0].model_copy(update={"effective": datetime(2025, 6, 1)})
    report = recommender.recommend(record.model_copy(update={"observations": [fresh]}), AS_OF)
    assert [r.rule_id for r in report.recommendations] == ["acc-aha-2018-statin-start"]


def test_values_recorded_after_the_as_of_time_are_not_known_yet(
    recommender: TreatmentRecommender,
) -> None:
    later = _egfr(25, when=datetime(2027, 3, 1, tzinfo=UTC))
    report = recommender.check(_ckd_on_metformin(later), as_of=AS_OF)
    assert _renal(report) == []


def test_age_is_computed_at_the_as_of_date_from_the_birth_date(
    recommender: TreatmentRecommender,
) -> None:
    record = PatientRecord(patient=Patient(id="p1", birth_date=date(1950, 6, 15)))
    assert recommender.facts(record, date(2020, 6, 14)).age == 69
    assert recommender.facts(record, date(2020, 6, 15)).age == 70


def test_a_deceased_patient_is_refused_naming_the_date_of_death(
    recommender: TreatmentRecommender,
) -> None:
    patient = Patient(
        id="p1", birth_date=date(1870, 3, 2), deceased=True, deceased_on=date(1981, 6, 30)
    )
    with pytest.raises(DeceasedPatientError, match="died on 1981-06-30"):
        recommender.recommend(PatientRecord(patient=patient), as_of=AS_OF)


def test_a_patient_who_died_after_the_as_of_date_is_judged_as_alive_then(
    recommender: TreatmentRecommender,
) -> None:
    patient = Patient(id="p1", age=70, deceased=True, deceased_on=date(2026, 6, 30))
    report = recommender.recommend(PatientRecord(patient=patient), as_of=AS_OF)
    assert report.patient_id == "p1"
