"""ConText rules: the base behaviour, and one test sentence for each of medlm's own changes."""

from __future__ import annotations

import pytest

from medlm.knowledge.text import context_rules
from medlm.text import Assertion, MedicalTextAnalyzer


def _assertion(text: str, target: str) -> Assertion:
    result = MedicalTextAnalyzer(packaged=False).analyze(text, targets=[target])
    (entity,) = result.find(target)
    return entity.assertion


def test_every_medlm_rule_names_a_test_in_this_file() -> None:
    names = {r.test for r in context_rules() if r.source == "medlm"}
    assert None not in names
    for name in names:
        assert name in globals(), f"rule test {name} is missing"


@pytest.mark.parametrize(
    ("text", "target", "attribute"),
    [
        ("The patient denies chest pain.", "chest pain", "negated"),
        ("No evidence of pneumonia.", "pneumonia", "negated"),
        ("Pulmonary embolism was ruled out.", "pulmonary embolism", "negated"),
        ("Possible pneumonia in the left lower lobe.", "pneumonia", "possible"),
        ("History of stroke.", "stroke", "historical"),
        ("Return if chest pain recurs.", "chest pain", "hypothetical"),
        ("Mother had breast cancer.", "breast cancer", "family"),
    ],
)
def test_base_triggers_set_their_attribute(text: str, target: str, attribute: str) -> None:
    assert getattr(_assertion(text, target), attribute) is True


def test_but_ends_negation_scope() -> None:
    assert not _assertion("Denies fever but has cough.", "cough").negated


def test_pseudo_trigger_no_change_does_not_negate() -> None:
    assert not _assertion("No change in the pleural effusion.", "pleural effusion").negated


def test_medlm_trailing_negative_negates() -> None:
    assert _assertion("Influenza swab negative.", "influenza").negated


def test_medlm_evaluate_for_is_possible_not_negated() -> None:
    a = _assertion("CT to evaluate for appendicitis.", "appendicitis")
    assert a.possible and not a.negated


def test_medlm_cannot_rule_out_is_possible_not_negated() -> None:
    a = _assertion("We could not rule out sepsis.", "sepsis")
    assert a.possible and not a.negated


def test_medlm_years_ago_is_historical() -> None:
    assert _assertion("Appendicitis 10 years ago.", "appendicitis").historical


def test_medlm_family_member_after_concept() -> None:
    a = _assertion("Breast cancer in her mother.", "breast cancer")
    assert a.family and a.experiencer == "family"


def test_medlm_reports_ends_negation_scope() -> None:
    a = _assertion("Denies chest pain and reports shortness of breath.", "shortness of breath")
    assert not a.negated


def test_medlm_section_title_is_not_a_trigger() -> None:
    a = _assertion("History of present illness: asthma attack since this morning.", "asthma")
    assert not a.historical


def test_medlm_longest_trigger_family_history_is_not_historical() -> None:
    a = _assertion("Family history of colon cancer.", "colon cancer")
    assert a.family and not a.historical


def test_medlm_semicolon_ends_scope() -> None:
    assert not _assertion("No fever; cough for 3 days.", "cough").negated
    assert _assertion("No fever; cough for 3 days.", "fever").negated
