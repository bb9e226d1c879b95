"""Sentence roles of an abstract as spans, from any labeller with `predict_abstract`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medlm.text.abstract_roles import ConfiguredRoleModel, abstract_roles, sentence_role_spans
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


class JournalReader(ByPosition):
    """A stand-in labeller that reads journals and knows one: the journal turns sentence 1's
    role from BACKGROUND to OBJECTIVE."""

    def __init__(self) -> None:
        super().__init__()
        self.journals: list[str] = []

    def knows_journal(self, journal: str) -> bool:
        return journal == "J Known"

    def predict_abstract(self, sentences: Sequence[str], journal: str = "") -> list[Prediction]:
        self.journals.append(journal)
        out = super().predict_abstract(sentences)
        return [Prediction("OBJECTIVE", 0.9), *out[1:]] if journal else out


def test_a_known_journal_reaches_a_labeller_that_reads_journals_and_is_named() -> None:
    reader = JournalReader()
    model = ConfiguredRoleModel(name="reader", labeller=reader)
    known = abstract_roles(ABSTRACT, model, journal=" J Known ")
    assert known.journal == "J Known" and known.spans[0].label == "OBJECTIVE"
    unknown = abstract_roles(ABSTRACT, model, journal="J Other")
    assert unknown.journal is None and unknown.spans[0].label == "BACKGROUND"
    assert reader.journals == ["J Known", ""]  # an unknown journal is not passed on
    plain = abstract_roles(ABSTRACT, ConfiguredRoleModel("plain", ByPosition()), "J Known")
    assert plain.journal is None and plain.spans[0].label == "BACKGROUND"
    facts = extract_trial_facts(MedicalTextAnalyzer().analyze(ABSTRACT), roles=known)
    assert facts.roles_journal == "J Known"
