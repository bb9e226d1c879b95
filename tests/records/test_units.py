"""Unit conversion: cited factors, exact round trips, and errors that name value and unit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medlm.errors import UnitError
from medlm.records.units import convert, normalize, quantities, units_of


@pytest.mark.parametrize(
    ("quantity", "value", "from_unit", "to_unit", "expected"),
    [
        ("glucose", 180.156, "mg/dL", "mmol/L", 10.0),
        ("glucose", 100.0, "mg/dl", "mmol/L", 5.5507),
        ("glucose", 7.0, "mmol/L", "mg/dL", 126.109),
        ("creatinine", 1.0, "mg/dL", "umol/L", 88.4),
        ("creatinine", 176.8, "umol/L", "mg/dL", 2.0),
        ("hba1c", 48.0, "mmol/mol", "%", 6.543),
        ("hba1c", 6.5, "%", "mmol/mol", 47.5295),
        ("temperature", 98.6, "[degF]", "Cel", 37.0),
        ("temperature", 100.0, "Cel", "[degF]", 212.0),
        ("temperature", 310.15, "K", "Cel", 37.0),
        ("weight", 1.0, "[lb_av]", "kg", 0.45359237),
        ("weight", 70.0, "kg", "[lb_av]", 154.3236),
        ("height", 70.0, "[in_i]", "cm", 177.8),
        ("height", 1.8, "m", "[in_i]", 70.8661),
        ("blood_pressure", 16.0, "kPa", "mm[Hg]", 120.0098),
    ],
)
def test_conversion_matches_the_cited_factor(
    quantity: str, value: float, from_unit: str, to_unit: str, expected: float
) -> None:
    assert convert(quantity, value, from_unit, to_unit) == pytest.approx(expected, abs=1e-3)


@given(
    st.sampled_from(quantities()).flatmap(
        lambda q: st.tuples(st.just(q), st.sampled_from(units_of(q)), st.sampled_from(units_of(q)))
    ),
    st.floats(min_value=-1e4, max_value=1e4),
)
def test_converting_there_and_back_returns_the_value(
    case: tuple[str, str, str], value: float
) -> None:
    quantity, a, b = case
    back = convert(quantity, convert(quantity, value, a, b), b, a)
    assert back == pytest.approx(value, rel=1e-9, abs=1e-9)


def test_normalize_gives_the_canonical_unit() -> None:
    assert normalize("weight", 2.0, "[lb_av]") == (pytest.approx(0.90718474), "kg")


def test_unknown_unit_names_value_and_unit() -> None:
    with pytest.raises(UnitError, match=r"value 5\.0 has unit 'mg%'"):
        convert("glucose", 5.0, "mg%", "mmol/L")


def test_unit_of_another_quantity_is_a_mismatch_not_a_guess() -> None:
    with pytest.raises(UnitError, match=r"'kg' is a unit of weight"):
        convert("glucose", 80.0, "kg", "mmol/L")


def test_ucum_is_case_sensitive_so_fahrenheit_needs_brackets() -> None:
    with pytest.raises(UnitError, match="'degF'"):
        convert("temperature", 98.6, "degF", "Cel")


def test_unknown_quantity_is_a_unit_error() -> None:
    with pytest.raises(UnitError, match="unknown quantity 'sodium'"):
        convert("sodium", 140.0, "mmol/L", "mg/dL")


def test_hba1c_diagnostic_threshold_rounds_to_the_published_48_mmol_per_mol() -> None:
    # ADA / IFCC: 6.5 % (NGSP) is quoted as 48 mmol/mol (IFCC)
    assert round(convert("hba1c", 6.5, "%", "mmol/mol")) == 48
