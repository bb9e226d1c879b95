"""A model is used only on the population it was trained on (issue 16, point 4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.risk.bundles import bundle, condition, quantity

from medlm.records import PatientRecord
from medlm.records.read import read_document
from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.population import check_population, population_for
from medlm.risk.result import assign_tier

AS_OF = datetime(2026, 2, 1, tzinfo=UTC)
BMI = ("39156-5", "Body mass index", 31.0, "kg/m2")


@pytest.fixture(scope="module")
def pima_model() -> DiseaseRiskPredictor:
    data = from_dataset("pima")
    model = DiseaseRiskPredictor(population=population_for("pima"), name="pima", outcome="diabetes")
    return model.fit(data.features, data.target)  # type: ignore[arg-type]


def _record(*resources: dict, gender: str, birth_date: str) -> PatientRecord:
    report = read_document(bundle(*resources, gender=gender, birth_date=birth_date))
    (record,) = report.records
    return record


def _woman_aged_40(*resources: dict) -> PatientRecord:
    return _record(quantity("bmi", *BMI), *resources, gender="female", birth_date="1985-06-01")


def test_a_man_is_outside_the_pima_population_and_gets_no_tier(
    pima_model: DiseaseRiskPredictor,
) -> None:
    man = _record(quantity("bmi", *BMI), gender="male", birth_date="1985-06-01")
    (score,) = pima_model.predict_records([man], as_of=AS_OF)
    assert score.tier is None
    assert score.population is not None and score.population.status == "outside"
    assert any("women" in reason for reason in score.population.reasons)


def test_a_woman_with_type_2_diabetes_already_has_the_outcome(
    pima_model: DiseaseRiskPredictor,
) -> None:
    t2d = condition("c-t2d", "44054006", "Diabetes mellitus type 2 (disorder)")
    (score,) = pima_model.predict_records([_woman_aged_40(t2d)], as_of=AS_OF)
    assert score.tier is None
    assert score.population is not None and score.population.outside
    assert any("already has the outcome" in r for r in score.population.reasons)
    assert score.population.evidence == ["Condition/c-t2d"]


def test_a_40_year_old_woman_without_diabetes_gets_a_tier_from_pimas_own_cutpoints(
    pima_model: DiseaseRiskPredictor,
) -> None:
    prevalence = pima_model.prevalence_
    cuts = pima_model.tier_cutpoints_
    assert cuts.pair == (round(0.5 * prevalence, 4), round(1.5 * prevalence, 4))
    assert cuts.pair != (0.1, 0.2) and "prevalence" in cuts.rule
    hypertension = condition("c-htn", "38341003", "Hypertensive disorder")
    (score,) = pima_model.predict_records([_woman_aged_40(hypertension)], as_of=AS_OF)
    assert score.population is not None and score.population.status == "inside"
    assert score.tier == assign_tier(score.probability, cuts.pair)
    assert score.cutpoints == cuts


def test_pima_tiers_do_not_put_most_women_in_high(pima_model: DiseaseRiskPredictor) -> None:
    data = from_dataset("pima")
    tiers = [s.tier for s in pima_model.predict(data.features)]
    assert sum(t == "high" for t in tiers) < 0.5 * len(tiers)
    assert {"low", "medium", "high"} <= set(tiers)


def test_a_woman_of_19_is_outside_by_age(pima_model: DiseaseRiskPredictor) -> None:
    young = _record(quantity("bmi", *BMI), gender="female", birth_date="2006-06-01")
    (score,) = pima_model.predict_records([young], as_of=AS_OF)
    assert score.tier is None
    assert score.population is not None
    assert any("aged 19" in r for r in score.population.reasons)


def test_a_resolved_diabetes_diagnosis_still_means_the_outcome_was_reached() -> None:
    record = _woman_aged_40(condition("c1", "44054006", "Diabetes mellitus type 2", "resolved"))
    status = check_population(record, population_for("pima"), AS_OF)
    assert status.outside


def test_a_diagnosis_made_after_the_as_of_time_does_not_count() -> None:
    t2d = condition("c-t2d", "44054006", "Diabetes mellitus type 2 (disorder)")
    t2d["onsetDateTime"] = "2026-06-01"
    status = check_population(_woman_aged_40(t2d), population_for("pima"), AS_OF)
    assert status.status == "inside"


def test_the_heart_failure_model_needs_heart_failure() -> None:
    hf = population_for("heart-failure")
    man = _record(quantity("bmi", *BMI), gender="male", birth_date="1955-01-01")
    assert check_population(man, hf, AS_OF).outside
    with_hf = _record(
        condition("c-hf", "84114007", "Heart failure (disorder)"),
        gender="male",
        birth_date="1955-01-01",
    )
    assert check_population(with_hf, hf, AS_OF).status == "inside"


def test_a_model_without_a_population_says_it_was_not_checked() -> None:
    data = from_dataset("pima")
    model = DiseaseRiskPredictor().fit(data.features, data.target)  # type: ignore[arg-type]
    man = _record(quantity("bmi", *BMI), gender="male", birth_date="1985-06-01")
    (score,) = model.predict_records([man], as_of=AS_OF)
    assert score.tier is not None
    assert score.population is not None and score.population.status == "not_stated"
    assert "not checked" in score.population.reasons[0]


def test_an_outside_patients_fhir_risk_assessment_has_no_probability(
    pima_model: DiseaseRiskPredictor,
) -> None:
    man = _record(quantity("bmi", *BMI), gender="male", birth_date="1985-06-01")
    (score,) = pima_model.predict_records([man], as_of=AS_OF)
    resource = score.to_fhir()
    assert "probabilityDecimal" not in resource["prediction"][0]
    assert resource["note"][0]["text"].startswith("outside the model's population")
