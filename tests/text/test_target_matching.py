"""Caller targets are found however the text spaces, wraps or lengthens them."""

from __future__ import annotations

import pytest

from medlm.errors import InputError
from medlm.text import MedicalTextAnalyzer
from medlm.text.segment import join_spanning

CASES = [
    # (target, text, the span the target must cover)
    ("CHANGE OF  THE JOINT", "There is CHANGE OF THE JOINT.", "CHANGE OF THE JOINT"),
    ("change of the joint", "There is CHANGE OF  THE JOINT.", "CHANGE OF  THE JOINT"),
    ("change of the joint", "There is no CHANGE OF\nTHE JOINT seen.", "CHANGE OF\nTHE JOINT"),
    ("mild tricuspid   regurgitation", "There is MILD TRICUSPID\r\n  REGURGITATION.", None),
    (
        "Nondilated left ventricle with severe hypertrophy and overall preserved  systolic"
        " function",
        "01) NONDILATED LEFT VENTRICLE WITH SEVERE HYPERTROPHY AND OVERALL PRESERVED\n"
        "SYSTOLIC FUNCTION.",
        None,
    ),
    (
        "Angiodysplasia (spider angioma) in the bulb of duodenum",
        "3) Angiodysplasia (spider angioma) in the bulb of duodenum  4) Normal D1/D2",
        "Angiodysplasia (spider angioma) in the bulb of duodenum",
    ),
]


@pytest.mark.parametrize(("target", "text", "covered"), CASES)
def test_target_is_found_across_whitespace_runs_line_breaks_and_many_tokens(
    targets_only: MedicalTextAnalyzer, target: str, text: str, covered: str | None
) -> None:
    result = targets_only.analyze(text, targets=[target])
    (entity,) = [e for e in result.entities if e.label == "target"]
    assert entity.text == text[entity.start : entity.end]
    assert " ".join(entity.text.split()).lower() == " ".join(target.split()).lower()
    if covered is not None:
        assert entity.text == covered


def test_target_across_a_line_break_takes_the_negation_before_the_break(
    targets_only: MedicalTextAnalyzer,
) -> None:
    result = targets_only.analyze(
        "There is no CHANGE OF\nTHE JOINT.", targets=["change of the joint"]
    )
    (entity,) = result.entities
    assert entity.assertion.negated
    assert len(result.sentences) == 1


def test_line_break_still_ends_a_sentence_no_target_crosses(
    targets_only: MedicalTextAnalyzer,
) -> None:
    result = targets_only.analyze("No fever\nCough present.", targets=["cough"])
    (entity,) = result.entities
    assert len(result.sentences) == 2 and not entity.assertion.negated


def test_join_spanning_joins_only_the_sentences_a_span_crosses() -> None:
    sentences = [(0, 5), (6, 10), (11, 20), (21, 30)]
    assert join_spanning(sentences, [(3, 8), (25, 28)]) == [(0, 10), (11, 20), (21, 30)]
    assert join_spanning(sentences, [(3, 25)]) == [(0, 30)]


def test_target_longer_than_200_characters_is_an_input_error_naming_it(
    targets_only: MedicalTextAnalyzer,
) -> None:
    with pytest.raises(InputError, match=r"targets\[1\] has 201 characters"):
        targets_only.analyze("No fever.", targets=["fever", "x" * 201])


def test_target_that_starts_with_a_section_header_is_found(
    analyzer: MedicalTextAnalyzer,
) -> None:
    text = "ALLERGIES:     TO PENICILLIN."
    result = analyzer.analyze(text, targets=["ALLERGIES:  TO PENICILLIN"])
    assert result.sections and result.sections[0].name
    (entity,) = [e for e in result.entities if e.label == "target"]
    assert entity.text == "ALLERGIES:     TO PENICILLIN"
