"""A trial abstract for the trial-report page: its sentences with their roles and the facts
`medlm.text.trials.extract_trial_facts` reads.

Roles come from the abstract's own section headings ("METHODS: ..."), mapped to the five NLM
roles; a sentence before any heading (the title) has no role. An unstructured abstract shows
no roles here: the fine-tuned sentence-role classifier (`medlm.text.abstract_roles`) is not
loaded by the web app.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from medlm.datasets.medline_corpus import split_abstract_sentences
from medlm.text import MedicalTextAnalyzer
from medlm.text.trials import TrialFacts, design_label, extract_trial_facts

NO_ROLE = "NONE"
# Structured-abstract headings -> NLM role (the NLM's own category names, by heading word).
HEADING_ROLES: dict[str, str] = {
    "BACKGROUND": "BACKGROUND",
    "INTRODUCTION": "BACKGROUND",
    "CONTEXT": "BACKGROUND",
    "RATIONALE": "BACKGROUND",
    "OBJECTIVE": "OBJECTIVE",
    "OBJECTIVES": "OBJECTIVE",
    "AIM": "OBJECTIVE",
    "AIMS": "OBJECTIVE",
    "PURPOSE": "OBJECTIVE",
    "METHODS": "METHODS",
    "METHOD": "METHODS",
    "DESIGN": "METHODS",
    "SETTING": "METHODS",
    "PARTICIPANTS": "METHODS",
    "PATIENTS": "METHODS",
    "INTERVENTIONS": "METHODS",
    "INTERVENTION": "METHODS",
    "MEASUREMENTS": "METHODS",
    "MEASURES": "METHODS",
    "RESULTS": "RESULTS",
    "FINDINGS": "RESULTS",
    "CONCLUSION": "CONCLUSIONS",
    "CONCLUSIONS": "CONCLUSIONS",
    "INTERPRETATION": "CONCLUSIONS",
}
_HEADING = re.compile(r"(?:^|\n)\s*([A-Z][A-Z ,&/-]{2,60}?)\s*:")


class RoledSentence(BaseModel):
    """One sentence of the abstract with its role."""

    model_config = ConfigDict(frozen=True)

    text: str
    role: str


def _role(heading: str, current: str) -> str:
    words = re.findall(r"[A-Z]+", heading)
    return next((HEADING_ROLES[w] for w in words if w in HEADING_ROLES), current)


def roled_sentences(text: str) -> list[RoledSentence]:
    """The abstract's sentences (split as the sentence-role data set splits them, and again
    at each heading), each with the role of the heading it falls under."""
    out: list[RoledSentence] = []
    current = NO_ROLE
    for sentence in split_abstract_sentences(text):
        cursor = 0
        for match in _HEADING.finditer(sentence):
            before = sentence[cursor : match.start(1)].strip()
            if before:
                out.append(RoledSentence(text=before, role=current))
            current, cursor = _role(match.group(1), current), match.start(1)
        out.append(RoledSentence(text=sentence[cursor:].strip(), role=current))
    return out


class TrialView(BaseModel):
    """What the trial page shows."""

    sentences: list[RoledSentence]
    facts: TrialFacts
    design: list[str]
    outcomes: list[str]


def trial_view(text: str, analyzer: MedicalTextAnalyzer) -> TrialView:
    """Sentences with roles and the extracted facts of an abstract (InputError on bad text)."""
    facts = extract_trial_facts(analyzer.analyze(text))
    return TrialView(
        sentences=roled_sentences(text),
        facts=facts,
        design=list(dict.fromkeys(design_label(s.text_in(text)) for s in facts.design)),
        outcomes=[s.text_in(text) for s in facts.outcomes],
    )
