"""Framingham reads hypertension, diabetes, stroke, BP drugs and smoking from the record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.risk.bundles import bundle, condition, medication, quantity, smoking

from medlm.records import PatientRecord
from medlm.records.read import read_document
from medlm.risk import DiseaseRiskPredictor, RiskScore, from_dataset
from medlm.risk.population import population_for

AS_OF = datetime(2026, 2, 1, tzinfo=UTC)
FACTS = ("prevalentHyp", "diabetes", "BPMeds", "currentSmoker", "cigsPerDay", "prevalentStroke")


@pytest.fixture(scope="module")
def framingham() -> DiseaseRiskPredictor:
    data = from_dataset("framingham")
    model = DiseaseRiskPredictor(
        population=population_for("framingham"), tier_rule="atp3_10y_chd", name="chd"
    )
    return model.fit(data.features, data.target)  # type: ignore[arg-type]


def _vitals() -> list[dict]:
    return [
        quantity("sbp", "8480-6", "Systolic blood pressure", 148, "mm[Hg]"),
        quantity("dbp", "8462-4", "Diastolic blood pressure", 92, "mm[Hg]"),
        quantity("hr", "8867-4", "Heart rate", 72, "/min"),
        quantity("bmi", "39156-5", "Body mass index", 29.0, "kg/m2"),
        quantity("chol", "2093-3", "Cholesterol", 240, "mg/dL"),
    ]


def _score(model: DiseaseRiskPredictor, *resources: dict) -> RiskScore:
    report = read_document(bundle(*resources, gender="male", birth_date="1970-03-01"))
    records: list[PatientRecord] = report.records
    (score,) = model.predict_records(records, as_of=AS_OF)
    return score


def test_framingham_reads_problems_drugs_and_smoking_from_a_fhir_bundle(
    framingham: DiseaseRiskPredictor,
) -> None:
    score = _score(
        framingham,
        *_vitals(),
        condition("c-htn", "59621000", "Essential hypertension (disorder)"),
        condition("c-t2d", "44054006", "Diabetes mellitus type 2 (disorder)"),
        medication("ms-lis", "lisinopril 10 MG Oral Tablet"),
        smoking("smk", "449868002", "Smokes tobacco daily (finding)"),
    )
    for column in ("prevalentHyp", "diabetes", "BPMeds", "currentSmoker", "prevalentStroke"):
        assert column not in score.missing, column
    assert score.inputs["prevalentHyp"] == ["Condition/c-htn"]
    assert score.inputs["diabetes"] == ["Condition/c-t2d"]
    assert score.inputs["BPMeds"] == ["MedicationStatement/ms-lis"]
    assert score.inputs["currentSmoker"] == ["Observation/smk"]
    assert "cigsPerDay" in score.missing  # a current smoker's daily count is not recorded
    assert {"Condition/c-htn", "MedicationStatement/ms-lis", "Observation/smk"} <= set(
        score.evidence
    )
    assert any("prevalentStroke: taken as 0" in note for note in score.notes)
    assert score.population is not None and score.population.status == "inside"


def test_a_never_smoker_without_these_problems_reads_as_zeros_with_notes(
    framingham: DiseaseRiskPredictor,
) -> None:
    score = _score(
        framingham,
        *_vitals(),
        condition("c-ckd", "433144002", "Chronic kidney disease stage 3 (disorder)"),
        medication("ms-met", "metformin 500 MG Oral Tablet"),
        smoking("smk", "266919005", "Never smoked tobacco (finding)"),
    )
    assert not set(FACTS) & set(score.missing)
    assert any("BPMeds: taken as 0" in note for note in score.notes)
    assert any("prevalentHyp: taken as 0" in note for note in score.notes)


def test_a_record_without_problems_drugs_or_smoking_leaves_the_facts_missing(
    framingham: DiseaseRiskPredictor,
) -> None:
    score = _score(framingham, *_vitals())
    assert set(FACTS) <= set(score.missing)
    assert any("lists no conditions" in note for note in score.notes)


def test_reading_the_facts_moves_the_probability_the_way_the_risk_factors_do(
    framingham: DiseaseRiskPredictor,
) -> None:
    healthy = _score(
        framingham,
        *_vitals(),
        condition("c-ckd", "433144002", "Chronic kidney disease stage 3 (disorder)"),
        medication("ms-met", "metformin 500 MG Oral Tablet"),
        smoking("smk", "266919005", "Never smoked tobacco (finding)"),
    )
    burdened = _score(
        framingham,
        *_vitals(),
        condition("c-htn", "59621000", "Essential hypertension (disorder)"),
        condition("c-t2d", "44054006", "Diabetes mellitus type 2 (disorder)"),
        medication("ms-lis", "lisinopril 10 MG Oral Tablet"),
        smoking("smk", "8517006", "Ex-smoker (finding)"),
    )
    assert burdened.probability > healthy.probability


def test_framingham_tiers_are_the_atp3_10_and_20_percent_bands(
    framingham: DiseaseRiskPredictor,
) -> None:
    cuts = framingham.tier_cutpoints_
    assert cuts.pair == (0.10, 0.20)
    assert cuts.source is not None and "JAMA 2001" in cuts.source
