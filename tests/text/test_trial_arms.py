"""Phrase rules of trial abstracts: population, arms and primary outcomes, as character spans."""

from __future__ import annotations

import pytest

from medlm.text.trial_arms import arm_spans, outcome_spans, population_spans


def _texts(text: str, spans: list) -> list[str]:
    return [text[s.start : s.end] for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We enrolled 80 patients with knee osteoarthritis, aged 50-70.", ["knee osteoarthritis"]),
        ("Adults undergoing elective hip replacement were included.", ["elective hip replacement"]),
        ("Effects of exercise in obese adolescents: a trial.", ["obese"]),
        ("A new cream to treat canine otitis externa: a trial.", ["canine otitis externa"]),
        # What follows "patients with" describes the data, not the people.
        ("Of the 400 participants with follow-up data, most were women.", []),
        ("Outcomes differed in the 6-hour group and 88 women.", []),
    ],
)
def test_population_phrases(text: str, expected: list[str]) -> None:
    assert _texts(text, population_spans(text)) == expected


def test_arms_from_a_versus_title_drop_the_leading_clause() -> None:
    text = (
        "Efficacy of Subcutaneous Tanezumab Versus Naproxen for Hip Osteoarthritis.\n"
        "METHODS: Patients were treated."
    )
    interventions, comparators = arm_spans(text)
    assert _texts(text, interventions) == ["Subcutaneous Tanezumab"]
    assert _texts(text, comparators) == ["Naproxen"]


def test_arms_from_randomized_to_x_or_y_skip_the_arm_sizes() -> None:
    text = (
        "A trial.\nMETHODS: Infants were randomly assigned to brief therapy (n = 81) or usual care."
    )
    interventions, comparators = arm_spans(text)
    assert _texts(text, interventions) == ["brief therapy"]
    assert _texts(text, comparators) == ["usual care"]


def test_arms_from_compare_x_and_y_in_the_objective_but_not_in_results() -> None:
    text = (
        "A randomized study.\n"
        "OBJECTIVE: To compare the lateral sagittal and costoclavicular approaches in children.\n"
        "RESULTS: Block A versus block B took longer."
    )
    interventions, comparators = arm_spans(text)
    assert _texts(text, interventions) == ["lateral sagittal"]
    assert _texts(text, comparators) == ["costoclavicular approaches"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The primary outcome was time to delivery. Secondary outcomes were costs.",
            ["time to delivery"],
        ),
        ("The change in pain score was the primary outcome measure.", ["The change in pain score"]),
        (
            "The primary objective was to assess progression-free survival.",
            ["progression-free survival"],
        ),
        ("MAIN OUTCOME MEASURES: The requirements for surgery.", ["The requirements for surgery"]),
        ("Secondary end points included mortality.", []),
    ],
)
def test_primary_outcome_phrases(text: str, expected: list[str]) -> None:
    assert _texts(text, outcome_spans(text)) == expected
