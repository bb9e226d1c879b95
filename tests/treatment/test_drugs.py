"""Drug-name matching through the drug dictionary: brands, misspellings, codes, unknown names."""

from __future__ import annotations

import pytest

from medlm.records import CodeSystem, Coding
from medlm.treatment import TreatmentRecommender


@pytest.mark.parametrize(
    ("text", "ingredient", "match_type"),
    [
        ("clopidogrel", "clopidogrel", "exact"),
        ("Plavix", "clopidogrel", "exact"),
        ("Zestril 10 mg tablet", "lisinopril", "exact"),
        ("clopidogrel bisulfate 75 mg", "clopidogrel", "exact"),
        ("lisinoprl", "lisinopril", "fuzzy"),
        ("metfromin", "metformin", "fuzzy"),
        ("warfrin", "warfarin", "fuzzy"),
        ("amoxicilin", "amoxicillin", "fuzzy"),
    ],
)
def test_names_brands_and_misspellings_resolve_to_ingredients(
    recommender: TreatmentRecommender, text: str, ingredient: str, match_type: str
) -> None:
    hit = recommender.matcher.match(text)
    assert hit is not None
    assert (hit.ingredient, hit.match_type) == (ingredient, match_type)


@pytest.mark.parametrize("text", ["xyzzy", "bananas", "   ", "500 mg tablet"])
def test_unrecognised_names_are_not_guessed(recommender: TreatmentRecommender, text: str) -> None:
    assert recommender.matcher.match(text) is None


def test_drugbank_code_resolves_without_a_name(recommender: TreatmentRecommender) -> None:
    hit = recommender.matcher.match(None, Coding(system=CodeSystem.DRUGBANK, code="DB00758"))
    assert hit is not None and (hit.ingredient, hit.match_type) == ("clopidogrel", "code")


def test_unknown_code_falls_back_to_its_display(recommender: TreatmentRecommender) -> None:
    code = Coding(system=CodeSystem.RXNORM, code="000000", display="Coumadin 5 mg")
    hit = recommender.matcher.match(None, code)
    assert hit is not None and hit.ingredient == "warfarin"


def test_package_fuzzy_match_outside_rule_ingredients_still_works(
    recommender: TreatmentRecommender,
) -> None:
    hit = recommender.matcher.match("acyclovirr")
    assert hit is not None and (hit.ingredient, hit.match_type) == ("acyclovir", "fuzzy")
