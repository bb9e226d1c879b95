"""Training from records with a label definition: labels by rule, the label never a feature."""

from __future__ import annotations

import numpy as np
import pytest

from medlm.records import Coding, Condition, Observation, Patient, PatientRecord, Sex
from medlm.risk import DiseaseRiskPredictor
from medlm.risk.labels import LabelDefinition, records_to_data

LOINC = "http://loinc.org"


def _record(i: int, glucose: float, diabetic: bool, hba1c: float) -> PatientRecord:
    pid = f"p{i}"
    conditions = (
        [
            Condition(
                patient_id=pid,
                code=Coding(system="http://hl7.org/fhir/sid/icd-10-cm", code="E11.9"),
            )
        ]
        if diabetic
        else []
    )
    return PatientRecord(
        patient=Patient(id=pid, age=40 + i % 30, sex=Sex.FEMALE if i % 2 else Sex.MALE),
        observations=[
            Observation(
                patient_id=pid,
                code=Coding(system=LOINC, code="2345-7"),
                value=glucose,
                unit="mg/dL",
            ),
            Observation(
                patient_id=pid, code=Coding(system=LOINC, code="4548-4"), value=hba1c, unit="%"
            ),
        ],
        conditions=conditions,
    )


def _cohort(n: int = 120) -> list[PatientRecord]:
    rng = np.random.default_rng(0)
    glucose = rng.normal(110, 25, n)
    return [_record(i, g, g > 120, 5 + g / 60) for i, g in enumerate(glucose)]


def test_condition_label_and_its_code_never_become_features() -> None:
    label = LabelDefinition(outcome="type 2 diabetes", condition_codes=["E11.9"])
    data, mapping = records_to_data(_cohort(), label)
    assert data.target is not None and data.target.sum() > 0
    assert set(data.features.columns) == {"age", "sex", "2345-7", "4548-4"}
    assert {c: (s.system, s.code, s.unit) for c, s in mapping.columns.items()} == {
        "2345-7": (LOINC, "2345-7", "mg/dL"),
        "4548-4": (LOINC, "4548-4", "%"),
    }


def test_observation_threshold_label_drops_that_observation_from_the_features() -> None:
    label = LabelDefinition(
        outcome="HbA1c >= 6.5", observation_code="4548-4", observation_at_least=6.5
    )
    data, _ = records_to_data(_cohort(), label)
    assert "4548-4" not in data.features.columns
    assert data.target is not None
    assert data.target.tolist() == [int(5 + g / 60 >= 6.5) for g in data.features["2345-7"]]


def test_a_model_trained_on_records_predicts_for_records() -> None:
    label = LabelDefinition(outcome="type 2 diabetes", condition_codes=["E11.9"])
    cohort = _cohort()
    data, mapping = records_to_data(cohort, label)
    model = DiseaseRiskPredictor(outcome=label.outcome).fit(
        data.features,
        data.target,
        record_mapping=mapping,  # type: ignore[arg-type]
    )
    scores = model.predict_records([_record(999, 180, False, 8.0), _record(998, 80, False, 5.2)])
    assert scores[0].probability > 0.5 > scores[1].probability
    assert scores[0].outcome == "type 2 diabetes"


def test_a_label_definition_needs_a_rule() -> None:
    with pytest.raises(ValueError, match="condition_codes"):
        LabelDefinition(outcome="x")
