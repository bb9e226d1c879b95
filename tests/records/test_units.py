"""Unit conversion: ucumvert for UCUM units, cited molar masses and the HbA1c master equation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medlm.errors import UnitError
from medlm.knowledge.concepts import ObservationConcept, load_concepts
from medlm.records.units import convert, convert_concept, same_unit, to_canonical, ucum_code


def concept(key: str) -> ObservationConcept:
    return load_concepts().observation(key)


@pytest.mark.parametrize(
    ("key", "value", "from_unit", "to_unit", "expected"),
    [
        ("glucose", 100.0, "mg/dL", "mmol/L", 5.551),  # 180.16 g/mol, PubChem 5793
        ("glucose", 180.16, "mg/dL", "mmol/L", 10.0),
        ("total_cholesterol", 200.0, "mg/dL", "mmol/L", 5.172),  # conventional 38.67
        ("ldl_cholesterol", 3.0, "mmol/L", "mg/dL", 116.01),
        ("triglycerides", 1.0, "mmol/L", "mg/dL", 88.57),
        ("creatinine", 1.0, "mg/dL", "umol/L", 88.4),  # KDIGO 2012
        ("creatinine", 176.8, "umol/L", "mg/dL", 2.0),
        ("hba1c", 48.0, "mmol/mol", "%", 6.543),  # Hoelzel 2004
        ("body_temperature", 98.6, "[degF]", "Cel", 37.0),
        ("body_temperature", 310.15, "K", "Cel", 37.0),
        ("systolic_bp", 16.0, "kPa", "mm[Hg]", 120.010),
        ("body_weight", 1.0, "[lb_av]", "kg", 0.454),
        ("body_height", 70.0, "[in_i]", "cm", 177.8),
        ("potassium", 4.2, "meq/L", "mmol/L", 4.2),
        ("urine_acr", 3.0, "mg/mmol", "mg/g", 26.52),
    ],
)
def test_conversion_matches_the_cited_factor(
    key: str, value: float, from_unit: str, to_unit: str, expected: float
) -> None:
    assert convert_concept(concept(key), value, from_unit, to_unit) == pytest.approx(
        expected, abs=1e-3
    )


def test_hba1c_diagnostic_threshold_rounds_to_the_published_48_mmol_per_mol() -> None:
    assert round(convert_concept(concept("hba1c"), 6.5, "%", "mmol/mol")) == 48


_ROUND_TRIPS = [
    ("glucose", "mg/dL", "mmol/L"),
    ("total_cholesterol", "mg/dL", "mmol/L"),
    ("ldl_cholesterol", "mg/dL", "mmol/L"),
    ("hdl_cholesterol", "mg/dL", "mmol/L"),
    ("triglycerides", "mg/dL", "mmol/L"),
    ("creatinine", "mg/dL", "umol/L"),
    ("hba1c", "mmol/mol", "%"),
    ("body_temperature", "[degF]", "Cel"),
    ("systolic_bp", "kPa", "mm[Hg]"),
    ("body_weight", "[lb_av]", "kg"),
    ("body_height", "[in_i]", "cm"),
]


@given(st.sampled_from(_ROUND_TRIPS), st.floats(min_value=0.01, max_value=1e4))
def test_converting_there_and_back_returns_the_value(
    case: tuple[str, str, str], value: float
) -> None:
    key, a, b = case
    there = convert_concept(concept(key), value, a, b)
    assert convert_concept(concept(key), there, b, a) == pytest.approx(value, rel=1e-9)


def test_aliases_are_read_as_their_ucum_code() -> None:
    assert ucum_code("mmHg") == "mm[Hg]" and ucum_code("mL/min/1.73 m2") == "mL/min/{1.73_m2}"
    assert to_canonical(concept("systolic_bp"), 120.0, "mmHg") == 120.0
    assert to_canonical(concept("glucose"), 5.0, "mmol/l") == pytest.approx(90.08)
    assert to_canonical(concept("body_temperature"), 98.6, "degF") == pytest.approx(37.0)


def test_egfr_per_body_surface_and_clearance_in_ml_per_min_are_not_the_same_unit() -> None:
    assert not same_unit("mL/min/{1.73_m2}", "mL/min")
    assert same_unit("mL/min/1.73m2", "mL/min/{1.73_m2}")
    with pytest.raises(UnitError, match="annotations differ"):
        convert(60.0, "mL/min/{1.73_m2}", "mL/min")
    with pytest.raises(UnitError, match=r"value 60\.0 has unit 'mL/min'"):
        to_canonical(concept("egfr"), 60.0, "mL/min")


def test_unit_of_another_quantity_is_rejected_naming_value_and_unit() -> None:
    with pytest.raises(UnitError, match=r"value 80\.0 has unit 'kg'.*glucose"):
        to_canonical(concept("glucose"), 80.0, "kg")


def test_unknown_unit_is_rejected_naming_value_and_unit() -> None:
    with pytest.raises(UnitError, match=r"value 5\.0 has unit 'mg per dl'"):
        to_canonical(concept("glucose"), 5.0, "mg per dl")
    with pytest.raises(UnitError, match=r"value 5\.0 has unit 'furlong'"):
        convert(5.0, "furlong", "m")


def test_dimensionless_units_are_not_interchangeable_for_a_concept() -> None:
    # mg/g and % are both dimensionless to pint; an ACR in % is still refused
    with pytest.raises(UnitError, match="'%'"):
        to_canonical(concept("urine_acr"), 30.0, "%")


def test_mass_to_amount_needs_a_molar_mass() -> None:
    with pytest.raises(UnitError, match="cannot be converted"):
        convert(100.0, "mg/dL", "mmol/L")
    assert convert(100.0, "mg/dL", "mmol/L", molar_mass_g_per_mol=180.16) == pytest.approx(
        5.5506, abs=1e-4
    )


def test_ucum_is_case_sensitive_so_an_unlisted_spelling_is_not_guessed() -> None:
    with pytest.raises(UnitError):
        to_canonical(concept("body_temperature"), 98.6, "DEGF")


def test_a_band_edge_in_fahrenheit_converts_without_floating_point_noise() -> None:
    # 100.4 degF is 38.0 Cel exactly: NEWS2's temperature band edge must not be crossed by 6e-14
    assert to_canonical(concept("body_temperature"), 100.4, "[degF]") == 38.0
