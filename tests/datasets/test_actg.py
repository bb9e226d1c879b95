"""ACTG 175: 2,139 participants, randomized arms as medications, follow-up kept out."""

from __future__ import annotations

from medlm.datasets import Dataset
from medlm.datasets.actg import FOLLOW_UP_COLUMNS
from medlm.records import Sex


def test_actg175_has_2139_participants_in_four_arms(actg175: Dataset) -> None:
    assert actg175.provenance.rows == 2139
    assert sorted(actg175.frame["arms"].unique()) == [0, 1, 2, 3]
    assert sum(actg175.provenance.outcome_balance.values()) == 2139  # type: ignore[union-attr]
    assert "Unnamed: 0" not in actg175.frame.columns


def test_actg175_first_participant_record_matches_the_csv(actg175: Dataset) -> None:
    record = actg175.to_records(limit=1)[0]
    assert record.patient.id == "actg175-10056"
    assert record.patient.sex is Sex.FEMALE  # gender 0 = female (speff2trial documentation)
    weight = record.latest("29463-7")
    assert weight is not None and weight.unit == "kg" and round(weight.value or 0, 4) == 89.8128
    cd4 = record.latest("cd4-count")
    assert cd4 is not None and cd4.value == 422


def test_actg175_arm_becomes_the_drugs_given(actg175: Dataset) -> None:
    record = actg175.to_records(limit=1)[0]  # arms == 2: zidovudine + zalcitabine
    assert sorted(m.name or "" for m in record.medication_statements) == [
        "zalcitabine",
        "zidovudine",
    ]


def test_actg175_follow_up_values_are_not_in_the_records(actg175: Dataset) -> None:
    record = actg175.to_records(limit=1)[0]
    codes = {o.code.code for o in record.observations}
    assert not codes & set(FOLLOW_UP_COLUMNS)
    values = {o.value for o in record.observations}
    assert 477.0 not in values  # cd420 of this participant
