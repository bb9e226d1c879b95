"""CSV and dataset input: clear errors naming the column or row, leakage columns excluded."""

from __future__ import annotations

from pathlib import Path

import pytest

from medlm.errors import InputError, ValidationError
from medlm.risk.data import from_dataset, read_csv, resolve_data


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


def test_non_numeric_value_in_numeric_column_names_column_and_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "Glucose,BMI,Outcome\n148,33.6,1\n85,high,0\n183,23.3,1\n")
    with pytest.raises(ValidationError, match=r"column 'BMI' .* row 2 \(line 3\) .*'high'"):
        read_csv(path, "Outcome")


def test_missing_target_column_is_named_with_the_columns_present(tmp_path: Path) -> None:
    path = _write(tmp_path, "Glucose,BMI\n148,33.6\n")
    with pytest.raises(
        InputError, match=r"target column 'Outcome' not found; columns are Glucose, BMI"
    ):
        read_csv(path, "Outcome")


@pytest.mark.parametrize("text", ["", "Glucose,Outcome\n"])
def test_empty_file_or_header_only_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError, match=r"empty|no rows"):
        read_csv(_write(tmp_path, text), "Outcome")


def test_target_that_is_not_0_or_1_names_the_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "Glucose,Outcome\n148,1\n85,2\n")
    with pytest.raises(ValidationError, match="row 2 has value 2"):
        read_csv(path, "Outcome")


def test_text_columns_stay_categories_and_blank_cells_missing(tmp_path: Path) -> None:
    path = _write(tmp_path, "sex,Glucose,Outcome\nMale,148,1\nFemale,,0\n")
    data = read_csv(path, "Outcome")
    assert data.features["sex"].tolist() == ["Male", "Female"]
    assert data.features["Glucose"].isna().tolist() == [False, True]
    assert data.target is not None and data.target.tolist() == [1, 0]


def test_heart_failure_follow_up_time_is_never_a_feature() -> None:
    data = from_dataset("heart-failure")
    assert "time" not in data.features.columns
    assert "DEATH_EVENT" not in data.features.columns


def test_uci_heart_outcome_is_num_above_zero_and_site_is_a_group_not_a_feature() -> None:
    data = from_dataset("uci-heart")
    assert data.target is not None and set(data.target) == {0, 1}
    assert {"dataset", "id", "num"}.isdisjoint(data.features.columns)
    assert set(data.groups["site"]) == {"Cleveland", "Hungary", "Switzerland", "VA Long Beach"}


def test_exactly_one_source_is_required() -> None:
    with pytest.raises(InputError, match="exactly one"):
        resolve_data(None, None, None)
