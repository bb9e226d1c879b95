"""Wide-table conversion: missing values give no Observation; bad values name row and column."""

from __future__ import annotations

import pandas as pd
import pytest

from medlm.datasets.convert import ConceptColumn, PatientTableMap, table_to_records
from medlm.errors import ValidationError
from medlm.records import Sex

TABLE = PatientTableMap(
    id_prefix="t",
    id_column=None,
    age_column="age",
    sex=lambda v: Sex.MALE if v == "m" else Sex.FEMALE,
    sex_column="sex",
    observations=(
        ConceptColumn("sbp", "systolic-bp"),
        ConceptColumn("cp", "chest-pain-type"),
    ),
)


def test_missing_values_give_no_observation_and_ids_follow_row_numbers() -> None:
    frame = pd.DataFrame(
        {"age": [40, None], "sex": ["m", "f"], "sbp": [120.0, None], "cp": [None, "atypical"]}
    )
    first, second = table_to_records(TABLE, frame)
    assert (first.patient.id, second.patient.id) == ("t-0001", "t-0002")
    assert [o.code.code for o in first.observations] == ["8480-6"]
    assert [o.value_text for o in second.observations] == ["atypical"]
    assert second.patient.age is None and second.patient.sex is Sex.FEMALE


def test_non_numeric_value_names_the_row_and_column() -> None:
    frame = pd.DataFrame({"age": [40], "sex": ["m"], "sbp": ["high"], "cp": [None]})
    with pytest.raises(ValidationError, match="row 1: column 'sbp' value 'high'") as caught:
        table_to_records(TABLE, frame)
    assert caught.value.field == "sbp"
