"""Records -> model rows: by concept, in the model's units, with ages and deaths at the as-of time.

Hand-built patients: a 63-year-old man with typical angina (UCI heart model) and a 50-year-old
woman after a 2-hour glucose tolerance test (Pima model).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from medlm.datasets.codes import concept
from medlm.knowledge.concepts import load_concepts
from medlm.records import Coding, Observation, Patient, PatientRecord, Sex
from medlm.records.fhir import to_bundle
from medlm.risk import DiseaseRiskPredictor, from_dataset
from medlm.risk.batch import predict_batch
from medlm.risk.inputs import patients_from_document

AS_OF = datetime(2024, 6, 1, 12, tzinfo=UTC)
TAKEN = datetime(2024, 5, 20, 9, tzinfo=UTC)
UCI = {
    "chest-pain-type": "typical angina",
    "systolic-bp": (145.0, "mm[Hg]"),
    "cholesterol": (233.0, "mg/dL"),
    "fasting-glucose-over-120": (1.0, "1"),
    "resting-ecg": "lv hypertrophy",
    "exercise-max-heart-rate": (150.0, "/min"),
    "exercise-angina": (0.0, "1"),
    "st-depression": (2.3, "mm"),
    "st-slope": "downsloping",
    "fluoroscopy-vessels": (0.0, "1"),
    "thallium-defect": "fixed defect",
}
PIMA = {
    "pregnancies": (2.0, "1"),
    "diastolic-bp": (72.0, "mm[Hg]"),
    "triceps-skinfold": (35.0, "mm"),
    "ogtt-2h-insulin": (80.0, "u[IU]/mL"),
    "bmi": (33.6, "kg/m2"),
    "diabetes-pedigree": (0.627, "1"),
}


def _fit(dataset: str) -> DiseaseRiskPredictor:
    data = from_dataset(dataset)
    return DiseaseRiskPredictor("logreg").fit(data.features, data.target)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def uci_model() -> DiseaseRiskPredictor:
    return _fit("uci-heart")


@pytest.fixture(scope="module")
def pima_model() -> DiseaseRiskPredictor:
    return _fit("pima")


def _obs(pid: str, name: str, value: Any, **fields: Any) -> Observation:
    spec = concept(name)
    base: dict[str, Any] = {"id": f"{pid}-{name}", "patient_id": pid, "code": spec.coding}
    base["effective"] = TAKEN
    if isinstance(value, str):
        return Observation(**base, value_text=value, **fields)
    number, unit = value
    # the shared concept, as the records boundary sets it (values here in its canonical unit)
    return Observation(**base, value=number, unit=unit, concept=spec.shared, **fields)


def _patient(
    pid: str, measures: dict[str, Any], *, sex: Sex = Sex.MALE, **patient: Any
) -> PatientRecord:
    patient.setdefault("age", 63.0) if "birth_date" not in patient else None
    return PatientRecord(
        patient=Patient(id=pid, sex=sex, **patient),
        observations=[_obs(pid, name, value) for name, value in measures.items()],
    )


def _man(pid: str = "man", **patient: Any) -> PatientRecord:
    return _patient(pid, UCI, **patient)


def _through_fhir(*records: PatientRecord, extra: list[dict[str, Any]] | None = None) -> Any:
    """The records written as a FHIR Bundle and read back at the records boundary."""
    bundle = to_bundle(list(records))
    bundle["entry"] += [{"resource": r} for r in extra or []]
    return patients_from_document(bundle, source="bundle.json", as_of=AS_OF)


def _probability(model: DiseaseRiskPredictor, record: PatientRecord) -> float:
    return model.predict_records([record], as_of=AS_OF)[0].probability


def _mmol_per_l(mg_per_dl: float) -> float:
    molar = load_concepts().observation("total_cholesterol").molar_mass
    assert molar is not None
    return mg_per_dl / (molar.effective_g_per_mol / 10.0)


def test_cholesterol_in_mmol_per_l_gives_the_same_probability_as_in_mg_per_dl(
    uci_model: DiseaseRiskPredictor,
) -> None:
    in_mmol = _patient("man", UCI | {"cholesterol": (_mmol_per_l(233.0), "mmol/L")})
    reference = predict_batch(uci_model, _through_fhir(_man()), as_of=AS_OF).scores[0]
    converted = predict_batch(uci_model, _through_fhir(in_mmol), as_of=AS_OF).scores[0]
    assert "chol" not in converted.missing
    assert converted.probability == pytest.approx(reference.probability, abs=1e-9)


def test_cholesterol_in_mmol_per_l_is_not_read_as_mg_per_dl(
    uci_model: DiseaseRiskPredictor,
) -> None:
    as_if_mg = _patient("man", UCI | {"cholesterol": (6.03, "mg/dL")})
    in_mmol = _patient("man", UCI | {"cholesterol": (6.03, "mmol/L")})
    read = _through_fhir(in_mmol).records[0]
    assert abs(_probability(uci_model, read) - _probability(uci_model, as_if_mg)) > 0.01


def test_a_birth_date_gives_the_same_probability_as_the_age_it_means(
    uci_model: DiseaseRiskPredictor,
) -> None:
    with_age = _probability(uci_model, _man(age=63.0))
    born = _through_fhir(_man(birth_date=date(1960, 7, 15))).records[0]  # 63 on 2024-06-01
    score = uci_model.predict_records([born], as_of=AS_OF)[0]
    assert "age" not in score.missing
    assert score.probability == pytest.approx(with_age, abs=1e-9)


def test_age_is_computed_at_the_as_of_time_not_today(uci_model: DiseaseRiskPredictor) -> None:
    born = _man(birth_date=date(1960, 7, 15))
    ten_years_earlier = datetime(2014, 6, 1, tzinfo=UTC)  # the measures of 2024 unknown then
    then = uci_model.predict_records([born], as_of=ten_years_earlier)[0]
    at_53 = uci_model.predict_records([_man(age=53.0)], as_of=ten_years_earlier)[0]
    now = uci_model.predict_records([born], as_of=AS_OF)[0]
    assert "chol" in then.missing
    assert then.probability == pytest.approx(at_53.probability, abs=1e-9)
    assert now.probability != pytest.approx(then.probability, abs=1e-3)


IRRELEVANT = [
    {
        "resourceType": "Encounter",
        "id": "enc1",
        "status": "finished",
        "class": {"code": "AMB"},
        "subject": {"reference": "Patient/man"},
    },
    {
        "resourceType": "Claim",
        "id": "claim1",
        "status": "active",
        "patient": {"reference": "Patient/man"},
    },
    {
        "resourceType": "Procedure",
        "id": "proc1",
        "status": "completed",
        "code": {"text": "Exercise stress test"},
        "subject": {"reference": "Patient/man"},
    },
]


def test_irrelevant_resources_around_the_patient_change_nothing(
    uci_model: DiseaseRiskPredictor,
) -> None:
    plain = predict_batch(uci_model, _through_fhir(_man()), as_of=AS_OF)
    wrapped = predict_batch(uci_model, _through_fhir(_man(), extra=IRRELEVANT), as_of=AS_OF)
    assert wrapped.scores[0].probability == pytest.approx(plain.scores[0].probability, abs=1e-9)
    assert wrapped.refused == [] and wrapped.rejected == []


def test_a_deceased_patient_is_refused_with_the_death_date_and_the_others_are_scored(
    uci_model: DiseaseRiskPredictor,
) -> None:
    died = _man("died", deceased=True, deceased_on=date(1981, 3, 2))
    batch = predict_batch(uci_model, _through_fhir(_man("alive"), died), as_of=AS_OF)
    assert [s.patient_id for s in batch.scores] == ["alive"]
    assert [r.patient_id for r in batch.refused] == ["died"]
    assert "1981-03-02" in batch.refused[0].reason


def test_a_death_after_the_as_of_date_does_not_refuse_the_patient(
    uci_model: DiseaseRiskPredictor,
) -> None:
    later = _man("later", deceased=True, deceased_on=date(2025, 1, 1))
    assert predict_batch(uci_model, _through_fhir(later), as_of=AS_OF).refused == []


def test_a_stale_value_is_reported_and_not_used(uci_model: DiseaseRiskPredictor) -> None:
    record = _man()
    old = record.observations[2].model_copy(update={"effective": datetime(2019, 1, 5, tzinfo=UTC)})
    assert old.concept == "total_cholesterol"
    record.observations[2] = old
    score = uci_model.predict_records(
        [record], as_of=AS_OF, freshness_days={"total_cholesterol": 365}
    )[0]
    assert "chol" in score.missing
    assert any("2019-01-05 is stale" in note for note in score.notes)


def test_a_value_recorded_after_the_as_of_time_is_not_known_yet(
    uci_model: DiseaseRiskPredictor,
) -> None:
    record = _man()
    record.observations[2] = record.observations[2].model_copy(
        update={"effective": datetime(2024, 7, 1, tzinfo=UTC)}
    )
    assert "chol" in uci_model.predict_records([record], as_of=AS_OF)[0].missing


def test_a_bound_is_not_a_measurement(uci_model: DiseaseRiskPredictor) -> None:
    record = _man()
    record.observations[2] = record.observations[2].model_copy(update={"comparator": ">"})
    score = uci_model.predict_records([record], as_of=AS_OF)[0]
    assert "chol" in score.missing
    assert any("'>233 mg/dL', a bound" in note for note in score.notes)


def _woman(*extra: Observation, **patient: Any) -> PatientRecord:
    record = _patient("woman", PIMA, sex=Sex.FEMALE, age=50.0, **patient)
    record.observations += list(extra)
    return record


def test_a_generic_glucose_is_not_fed_to_the_ogtt_column(pima_model: DiseaseRiskPredictor) -> None:
    random_glucose = Observation(
        id="woman-glu",
        patient_id="woman",
        code=Coding(system="http://loinc.org", code="2345-7"),
        value=180.0,
        unit="mg/dL",
        concept="glucose",
        effective=TAKEN,
    )
    score = pima_model.predict_records([_woman(random_glucose)], as_of=AS_OF)[0]
    assert "Glucose" in score.missing
    assert "Observation/woman-glu" not in score.evidence
    assert any("holds a glucose" in note and "not used" in note for note in score.notes)


def test_the_ogtt_glucose_is_matched_by_system_and_code_not_code_alone(
    pima_model: DiseaseRiskPredictor,
) -> None:
    ogtt = _obs("woman", "ogtt-2h-glucose", (148.0, "mg/dL"))
    elsewhere = ogtt.model_copy(update={"code": Coding(system="urn:other", code=ogtt.code.code)})
    assert "Glucose" not in pima_model.predict_records([_woman(ogtt)], as_of=AS_OF)[0].missing
    assert "Glucose" in pima_model.predict_records([_woman(elsewhere)], as_of=AS_OF)[0].missing


def test_a_deceased_patient_given_directly_to_the_model_is_an_error(
    uci_model: DiseaseRiskPredictor,
) -> None:
    from medlm.errors import DeceasedPatientError

    with pytest.raises(DeceasedPatientError, match="died on 1981-03-02"):
        uci_model.predict_records([_man(deceased=True, deceased_on=date(1981, 3, 2))])
