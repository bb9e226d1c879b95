"""Census-list name recognizer: un-cued names found, clinical look-alikes kept."""

from __future__ import annotations

import pytest

from medlm.privacy import PhiDetector, PhiLabel
from medlm.privacy.census_names import census_names


def _names(text: str) -> set[str]:
    return {s.text_in(text) for s in PhiDetector().detect(text).spans if s.label == PhiLabel.NAME}


def test_census_lists_are_read_from_the_names_package() -> None:
    lists = census_names()
    assert {"MARY", "JAMES", "LINDA"} <= lists.first
    assert {"SMITH", "JOHNSON", "GARCIA"} <= lists.last
    assert len(lists.first) > 5000 and len(lists.last) > 20000


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("I want to add Kyra McKay as a beneficiary.", "Kyra McKay"),
        ("The account holder Ralf Weber called.", "Ralf Weber"),
        ("Discussed with Linda Okonkwo by phone.", "Linda Okonkwo"),
        ("Report copied to John M. Smith and the team.", "John M. Smith"),
        ("Called Kyra McKay today.", "Kyra McKay"),
    ],
)
def test_uncued_names_on_the_census_lists_are_found(text: str, name: str) -> None:
    assert name in _names(text)


def test_a_found_name_marks_its_later_mentions() -> None:
    text = "We spoke with Linda Okonkwo; Okonkwo agreed."
    assert _names(text) == {"Linda Okonkwo", "Okonkwo"}


@pytest.mark.parametrize(
    "text",
    [
        "Will Start metformin 500 mg daily.",  # sentence start: both tokens must be on the lists
        "Known Parkinson Disease, stable on levodopa.",  # eponym
        "Follow-up at Grace Hospital in two weeks.",  # organisation word follows
        "Heart Failure clinic review; Chest Pain resolved.",
        "Lives on Morgan Street.",
        "NEWS2 5, GCS 15 on arrival.",
    ],
)
def test_clinical_look_alikes_are_not_names(text: str) -> None:
    assert _names(text) == set()
