"""ICD-10-CM coding: exact, synonym, fuzzy, and no code when unsure."""

from __future__ import annotations

import pytest

from medlm.text.icd10 import IcdIndex, icd_index

SMALL = IcdIndex(
    [
        ("E11", "Type 2 diabetes mellitus", []),
        ("E11.9", "Type 2 diabetes mellitus without complications", []),
        ("E10", "Type 1 diabetes mellitus", []),
        ("R07.9", "Chest pain, unspecified", []),
        ("I10", "Essential (primary) hypertension", ["high blood pressure"]),
        ("X01", "Widget syndrome", []),
        ("X02", "Gadget syndrome", ["widget syndrome"]),
        ("Y01", "Twin disease", ["shared name"]),
        ("Y02", "Other twin disease", ["shared name"]),
    ]
)


@pytest.mark.parametrize(
    ("name", "code", "method"),
    [
        ("Type 2 diabetes mellitus", "E11", "exact"),
        ("chest pain", "R07.9", "synonym"),
        ("high blood pressure", "I10", "synonym"),
        ("essential hypertension", "I10", "synonym"),
        ("diabetes mellitus type 2", "E11", "synonym"),
        ("Type 2 diabetis mellitus", "E11", "fuzzy"),
    ],
)
def test_names_get_codes_with_their_method(name: str, code: str, method: str) -> None:
    hit = SMALL.code(name)
    assert hit is not None and (hit.coding.code, hit.method) == (code, method)
    assert 0 < hit.score <= 1


def test_fuzzy_never_changes_a_number() -> None:
    hit = SMALL.code("Type 3 diabetes mellitus")
    assert hit is None


def test_a_name_shared_by_unrelated_codes_gets_no_code() -> None:
    assert SMALL.code("shared name") is None


def test_exact_description_beats_an_inclusion_term() -> None:
    hit = SMALL.code("widget syndrome")
    assert hit is not None and hit.coding.code == "X01"


def test_packaged_tabular_list_codes_shortness_of_breath() -> None:
    hit = icd_index().code("Shortness of breath")
    assert hit is not None and hit.coding.code == "R06.02" and hit.method == "exact"
