"""Trial-report facts: design, sample size, age range, arms, outcomes and effect measures."""

from __future__ import annotations

import pytest

from medlm.text import MedicalTextAnalyzer
from medlm.text.trials import TrialFacts, extract_trial_facts

ABSTRACT = (
    "OBJECTIVE: To test metformin in adults with type 2 diabetes mellitus. "
    "METHODS: In this double-blind, placebo-controlled randomized trial, 412 patients aged "
    "40 to 75 years were randomly assigned to metformin versus placebo. The primary outcome was "
    "change in HbA1c at 24 weeks. RESULTS: Metformin reduced the risk of the composite endpoint "
    "(HR 0.72, 95% CI 0.60-0.86; P<0.001). The odds ratio for hypoglycemia was 1.45 "
    "(95% CI, 0.90 to 2.33; P = 0.12)."
)


@pytest.fixture(scope="module")
def facts(analyzer: MedicalTextAnalyzer) -> TrialFacts:
    return extract_trial_facts(analyzer.analyze(ABSTRACT))


def test_design_terms_are_found(facts: TrialFacts) -> None:
    labels = {s.label for s in facts.design}
    assert {"double-blind", "placebo-controlled", "randomized"} <= labels


def test_sample_size_and_age_range(facts: TrialFacts) -> None:
    assert facts.sample_size == 412
    assert facts.sample_size_span is not None
    assert ABSTRACT[facts.sample_size_span.start : facts.sample_size_span.end] == "412"
    assert facts.age_range == (40.0, 75.0)


def test_intervention_and_comparator_are_linked_to_drugs(facts: TrialFacts) -> None:
    assert facts.interventions == ("Metformin",)
    assert facts.comparators == ("placebo",)


def test_primary_outcome_span(facts: TrialFacts) -> None:
    (outcome,) = facts.outcomes
    assert ABSTRACT[outcome.start : outcome.end] == "change in HbA1c at 24 weeks"


def test_effect_measures_with_ci_and_p(facts: TrialFacts) -> None:
    hr, odds = facts.effects
    assert (hr.kind, hr.value, hr.ci_low, hr.ci_high, hr.p_value) == (
        "hazard ratio",
        0.72,
        0.60,
        0.86,
        "<0.001",
    )
    assert (odds.kind, odds.value, odds.ci_low, odds.ci_high, odds.p_value) == (
        "odds ratio",
        1.45,
        0.90,
        2.33,
        "=0.12",
    )


def test_condition_of_the_population(facts: TrialFacts) -> None:
    assert "Diabetes Mellitus, Type 2" in facts.conditions


def test_sample_size_in_words_prefers_the_randomized_count(analyzer: MedicalTextAnalyzer) -> None:
    text = "Seventy-six inpatients were randomised (n = 38 per group); 60 completed follow-up."
    facts = extract_trial_facts(analyzer.analyze(text))
    assert facts.sample_size == 76
