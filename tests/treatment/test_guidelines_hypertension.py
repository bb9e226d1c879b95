"""ACC/AHA 2017 on the mean of recent readings: every antihypertensive counts, one reading never
starts a drug, a mean below target never starts one (issue 16's verapamil patients)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from medlm.records import CodeSystem, Coding, Observation, PatientRecord
from medlm.treatment import TreatmentRecommender
from medlm.treatment.results import Action

AS_OF = datetime(2026, 1, 1)
_BP = {"systolic_bp": "8480-6", "diastolic_bp": "8462-4"}
BP_RULES = {
    "acc-aha-first-line",
    "acc-aha-stage2-two-agents",
    "acc-aha-raas",
    "acc-aha-above-target",
    "acc-aha-stage1-low-risk",
    "acc-aha-confirm-bp",
}


def with_readings(record: PatientRecord, *readings: tuple[float, float, int]) -> PatientRecord:
    """Add BP readings as (systolic, diastolic, days before AS_OF)."""
    obs = [
        Observation(
            patient_id=record.patient.id,
            code=Coding(system=CodeSystem.LOINC, code=_BP[concept]),
            value=value,
            unit="mm[Hg]",
            concept=concept,
            effective=AS_OF - timedelta(days=days),
        )
        for sbp, dbp, days in readings
        for concept, value in (("systolic_bp", sbp), ("diastolic_bp", dbp))
    ]
    return record.model_copy(update={"observations": [*record.observations, *obs]})


def _starts(report: Any) -> list[str]:
    return [
        r.rule_id
        for r in report.recommendations
        if r.action == Action.START and r.rule_id in BP_RULES
    ]


def test_hypertension_bp_112_70_on_verapamil_gets_no_start(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = with_readings(
        make_record(conditions=("I10",), meds=("verapamil",)), (112, 70, 3), (114, 72, 40)
    )
    report = recommender.recommend(record, as_of=AS_OF)
    assert _starts(report) == []
    assert report.recommendations == []


def test_verapamil_readings_102_85_and_109_86_are_intensified_not_started(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    patient = make_record(conditions=("I10",), meds=("verapamil",), ascvd_risk=12.0)
    record = with_readings(patient, (102, 85, 2), (109, 86, 30))
    report = recommender.recommend(record, as_of=AS_OF)
    assert _starts(report) == []
    [adjust] = [r for r in report.recommendations if r.rule_id == "acc-aha-above-target"]
    assert "BP 105.5/85.5 mmHg (stage 1), mean of 2 readings on 2 day(s)" in adjust.rationale
    assert "non-dihydropyridine calcium-channel blocker" in adjust.rationale


def test_diltiazem_counts_as_antihypertensive_treatment(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = with_readings(
        make_record(conditions=("I10",), meds=("diltiazem",)), (152, 92, 1), (148, 94, 20)
    )
    report = recommender.recommend(record, as_of=AS_OF)
    assert _starts(report) == []
    assert [r.rule_id for r in report.recommendations] == ["acc-aha-above-target"]


def test_a_single_117_80_reading_never_starts_an_antihypertensive(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = with_readings(make_record(conditions=("I10", "E11.9"), egfr=80), (117, 80, 1))
    report = recommender.recommend(record, as_of=AS_OF)
    assert not any(
        r.rule_id in BP_RULES and r.action == Action.START for r in report.recommendations
    )
    [confirm] = [r for r in report.recommendations if r.rule_id == "acc-aha-confirm-bp"]
    assert confirm.action == Action.MONITOR
    assert "a single reading" in confirm.rationale


def test_two_readings_on_one_day_are_not_two_occasions(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = with_readings(make_record(conditions=("I10",)), (150, 95, 1), (152, 96, 1))
    report = recommender.recommend(record, as_of=AS_OF)
    assert _starts(report) == []
    assert [r.rule_id for r in report.recommendations] == ["acc-aha-confirm-bp"]


def test_untreated_stage2_mean_of_two_occasions_starts_two_first_line_agents(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = with_readings(make_record(conditions=("I10",)), (150, 85, 2), (146, 88, 35))
    report = recommender.recommend(record, as_of=AS_OF)
    assert sorted(_starts(report)) == ["acc-aha-first-line", "acc-aha-stage2-two-agents"]


def test_mean_below_target_never_starts_even_if_one_reading_was_high(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = with_readings(make_record(conditions=("I10",)), (138, 78, 2), (108, 70, 30))
    report = recommender.recommend(record, as_of=AS_OF)
    assert report.recommendations == []


def test_readings_older_than_the_window_are_not_averaged(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = with_readings(make_record(conditions=("I10",)), (170, 100, 200), (172, 104, 300))
    report = recommender.recommend(record, as_of=AS_OF)
    assert report.recommendations == []
    assert any("no paired systolic and diastolic reading" in m for m in report.missing)


def test_albuminuria_with_stage1_mean_prefers_an_ace_inhibitor(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    spec = {"conditions": ("E11.9",), "egfr": 80, "acr": 350}
    record = with_readings(make_record(**spec), (136, 70, 3), (134, 72, 33))
    report = recommender.recommend(record, as_of=AS_OF)
    assert "acc-aha-raas" in _starts(report)


def test_no_bp_and_no_hypertension_says_nothing(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(conditions=("E11.9",), egfr=80), as_of=AS_OF)
    assert not any(r.rule_id in BP_RULES for r in report.recommendations)
    assert not any("blood pressure" in m for m in report.missing)
