"""Pima: 768 rows, 'not measured' zeros as NaN and as absent Observations, label kept out."""

from __future__ import annotations

import math

from medlm.datasets import Dataset
from medlm.datasets.pima import ZERO_MEANS_MISSING
from medlm.records import CodeSystem, Sex


def test_pima_has_768_rows_and_268_positive_outcomes(pima: Dataset) -> None:
    assert pima.provenance.rows == 768
    assert pima.target == "Outcome"
    assert pima.provenance.outcome_balance == {"0": 500, "1": 268}


def test_pima_zeros_become_nan_in_the_frame(pima: Dataset) -> None:
    for column in ZERO_MEANS_MISSING:
        assert not (pima.frame[column] == 0).any(), column
    assert int(pima.frame["Insulin"].isna().sum()) == 374
    assert pima.provenance.counts["zeros_as_missing_SkinThickness"] == 227


def test_pima_records_never_hold_a_zero_for_a_not_measured_value(pima: Dataset) -> None:
    records = pima.to_records()
    zero_codes = {"ogtt-2h-glucose", "diastolic-bp", "8462-4", "triceps-skinfold",
                  "ogtt-2h-insulin", "39156-5"}  # fmt: skip
    assert len(records) == 768
    for record in records:
        for obs in record.observations:
            if obs.code.code in zero_codes:
                assert obs.value != 0


def test_pima_row_without_insulin_has_no_insulin_observation(pima: Dataset) -> None:
    first = pima.to_records(limit=1)[0]  # row 1: Insulin 0 in the source
    assert math.isnan(pima.frame.loc[0, "Insulin"])
    assert "ogtt-2h-insulin" not in {o.code.code for o in first.observations}
    assert first.latest("39156-5") is not None  # BMI 33.6 is present


def test_pima_records_are_women_with_age_and_loinc_coded_blood_pressure(pima: Dataset) -> None:
    record = pima.to_records(limit=1)[0]
    assert record.patient.sex is Sex.FEMALE
    assert record.patient.age == 50
    bp = record.latest("8462-4")
    assert bp is not None
    assert (bp.code.system, bp.value, bp.unit) == (CodeSystem.LOINC.value, 72.0, "mm[Hg]")


def test_pima_outcome_is_not_in_the_records(pima: Dataset) -> None:
    record = pima.to_records(limit=1)[0]
    assert len(record.observations) == 6  # 7 predictors, insulin not measured; no Outcome
    assert not any("outcome" in o.code.code.lower() for o in record.observations)
