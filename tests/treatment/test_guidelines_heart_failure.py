"""HFrEF (2022 AHA/ACC/HFSA): the four drug classes, confirmed by an LVEF Observation, with the
MRA's eGFR and potassium conditions and never an ACE inhibitor with an ARNI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medlm.records import CodeSystem, Coding, Observation, PatientRecord
from medlm.treatment import TreatmentRecommender
from medlm.treatment.results import Action

AS_OF = datetime(2026, 1, 1)
HF = "I50.22"
_CODES = {"lvef": ("10230-1", "%"), "potassium": ("2823-3", "mmol/L")}


def with_values(record: PatientRecord, **values: float) -> PatientRecord:
    obs = [
        Observation(
            patient_id=record.patient.id,
            code=Coding(system=CodeSystem.LOINC, code=_CODES[c][0]),
            value=v,
            unit=_CODES[c][1],
            concept=c,
        )
        for c, v in values.items()
    ]
    return record.model_copy(update={"observations": [*record.observations, *obs]})


def _hf(report: Any) -> dict[str, Action]:
    return {r.rule_id: r.action for r in report.recommendations if "hfref" in r.rule_id}


def _patient(make_record: Any, meds: tuple[str, ...], egfr: float = 50, **values: float) -> Any:
    return with_values(make_record(age=66, conditions=(HF,), meds=meds, egfr=egfr), **values)


def test_hfref_on_lisinopril_and_metoprolol_succinate_gets_mra_and_sglt2i(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = _patient(make_record, ("lisinopril", "metoprolol succinate"), lvef=30, potassium=4.2)
    report = recommender.recommend(record, AS_OF)
    assert _hf(report) == {
        "aha-acc-hfref-mra": Action.START,
        "aha-acc-hfref-sglt2-inhibitor": Action.START,
    }
    mra = next(r for r in report.recommendations if r.rule_id == "aha-acc-hfref-mra")
    assert mra.strength == "COR 1, LOE A" and "LVEF 30%" in mra.rationale
    assert "Section 7.3.3" in mra.citation.section


def test_potassium_5_3_gives_no_mra_and_says_why(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = _patient(make_record, ("lisinopril", "metoprolol succinate"), lvef=30, potassium=5.3)
    report = recommender.recommend(record, AS_OF)
    assert _hf(report)["aha-acc-hfref-mra-not-eligible"] == Action.AVOID
    assert "aha-acc-hfref-mra" not in _hf(report)
    avoid = next(r for r in report.recommendations if r.rule_id.endswith("mra-not-eligible"))
    assert "potassium 5.3 mmol/L is not below 5.0" in avoid.rationale


def test_egfr_25_gives_no_mra(recommender: TreatmentRecommender, make_record: Any) -> None:
    record = _patient(make_record, ("lisinopril", "carvedilol"), egfr=25, lvef=30, potassium=4.0)
    avoid = next(
        r
        for r in recommender.recommend(record, AS_OF).recommendations
        if r.rule_id.endswith("mra-not-eligible")
    )
    assert "eGFR 25 is not above 30" in avoid.rationale


def test_heart_failure_without_lvef_is_not_assumed_to_be_hfref(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(age=66, conditions=(HF,), meds=("lisinopril",), egfr=50)
    report = recommender.recommend(record, AS_OF)
    assert _hf(report) == {}
    assert any(
        "without an LVEF result: HFrEF (LVEF <= 40%) not confirmed" in m for m in report.missing
    )


def test_preserved_ejection_fraction_gets_no_hfref_drugs(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = _patient(make_record, (), lvef=60, potassium=4.0)
    report = recommender.recommend(record, AS_OF)
    assert _hf(report) == {}
    assert any("LVEF 60% is above 40%" in m for m in report.missing)


def test_untreated_hfref_gets_all_four_classes(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = _patient(make_record, (), lvef=25, potassium=4.0)
    assert _hf(recommender.recommend(record, AS_OF)) == {
        "aha-acc-hfref-raas": Action.START,
        "aha-acc-hfref-beta-blocker": Action.START,
        "aha-acc-hfref-mra": Action.START,
        "aha-acc-hfref-sglt2-inhibitor": Action.START,
    }


def test_fully_treated_hfref_gets_nothing(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    meds = ("Entresto", "bisoprolol", "spironolactone", "dapagliflozin")
    record = _patient(make_record, meds, lvef=30, potassium=4.5)
    assert _hf(recommender.recommend(record, AS_OF)) == {}


def test_ace_inhibitor_with_arni_is_stopped(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    meds = ("lisinopril", "Entresto", "carvedilol", "eplerenone", "empagliflozin")
    record = _patient(make_record, meds, lvef=30, potassium=4.5)
    report = recommender.recommend(record, AS_OF)
    [stop] = [r for r in report.recommendations if r.rule_id == "aha-acc-hfref-no-acei-with-arni"]
    assert stop.action == Action.STOP and stop.drug == "lisinopril"
    assert stop.strength == "COR 3: Harm, LOE B-R"


def test_atenolol_is_switched_to_an_evidence_based_beta_blocker(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = _patient(make_record, ("lisinopril", "atenolol"), lvef=30, potassium=4.5)
    assert _hf(recommender.recommend(record, AS_OF))["aha-acc-hfref-beta-blocker"] == Action.ADJUST


def test_metoprolol_without_salt_is_listed_not_guessed(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = _patient(make_record, ("lisinopril", "metoprolol"), lvef=30, potassium=4.5)
    report = recommender.recommend(record, AS_OF)
    assert "aha-acc-hfref-beta-blocker" not in _hf(report)
    assert any("the metoprolol salt is not stated" in m for m in report.missing)


def test_missing_potassium_leaves_mra_eligibility_unknown(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = _patient(make_record, ("lisinopril", "carvedilol"), lvef=30)
    report = recommender.recommend(record, AS_OF)
    assert not any("mra" in rule for rule in _hf(report))
    assert any(m.startswith("potassium not available: MRA eligibility") for m in report.missing)


def test_hfref_with_diabetes_gets_one_sglt2i_start_citing_both_guidelines(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = with_values(
        make_record(age=66, conditions=(HF, "E11.9"), meds=("lisinopril", "carvedilol"), egfr=50),
        lvef=30,
        potassium=4.5,
    )
    starts = [
        r
        for r in recommender.recommend(record, AS_OF).recommendations
        if r.action == Action.START and "SGLT2" in (r.drug_class or "")
    ]
    assert len(starts) == 1
    assert "aha-acc-hfref-sglt2-inhibitor" in starts[0].rationale
