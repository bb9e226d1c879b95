"""Sentence roles of an abstract as spans, from any labeller with `predict_abstract`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medlm.text.abstract_roles import sentence_role_spans
from medlm.text.analyzer import MedicalTextAnalyzer
from medlm.text.trials import extract_trial_facts

ABSTRACT = (
    "Hypertension is common. We aimed to test drug A. Adults were randomized, e.g. by site. "
    "Blood pressure fell by 10 mmHg. Drug A lowers blood pressure."
)


@dataclass(frozen=True)
class Prediction:
    role: str
    score: float


class ByPosition:
    """A stand-in labeller: roles in the usual order, so offsets are what the test checks."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def predict_abstract(self, sentences: Sequence[str]) -> list[Prediction]:
        self.seen = list(sentences)
        roles = ["BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]
        return [Prediction(roles[min(i, 4)], 0.9) for i in range(len(sentences))]


def test_each_sentence_becomes_a_span_with_its_role_and_exact_offsets() -> None:
    labeller = ByPosition()
    spans = sentence_role_spans(ABSTRACT, labeller)
    assert len(labeller.seen) == 5  # "e.g." does not end a sentence
    assert [s.label for s in spans][:2] == ["BACKGROUND", "OBJECTIVE"]
    assert [ABSTRACT[s.start : s.end] for s in spans] == labeller.seen
    assert spans[-1].end == len(ABSTRACT) and all(s.score == 0.9 for s in spans)


def test_trial_facts_carry_sentence_roles_only_when_a_labeller_is_given() -> None:
    analysis = MedicalTextAnalyzer().analyze(ABSTRACT)
    assert extract_trial_facts(analysis).sentence_roles == ()
    facts = extract_trial_facts(analysis, roles=ByPosition())
    assert [s.label for s in facts.sentence_roles][-1] == "CONCLUSIONS"
