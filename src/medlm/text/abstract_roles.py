"""Sentence roles of an abstract: from its section headings, or from a sentence-role model.

A structured abstract carries its section headings ("METHODS: ..."); each sentence takes the
role of the heading it falls under, mapped to the five NLM roles (BACKGROUND, OBJECTIVE,
METHODS, RESULTS, CONCLUSIONS); a sentence before any heading (the title) has none. An
unstructured abstract is labelled by the configured sentence-role model
(`settings.lm.sentence_role_model`, loaded with `load_configured_role_model`: the
abstract-level model or the per-sentence classifier), and the result says which model it was.
Without a configured model the roles of an unstructured abstract are not predicted, and the
result says that too. Labelling only needs something with `predict_abstract(sentences)`, so
the text pipeline does not import torch unless a model is loaded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, cast

from pydantic import BaseModel, ConfigDict, Field

from medlm.datasets.medline_corpus import split_abstract_sentences
from medlm.records import Span

logger = logging.getLogger(__name__)

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

RoleSource = Literal["headings", "model", "none"]


class RolePredictionLike(Protocol):
    @property
    def role(self) -> str: ...
    @property
    def score(self) -> float: ...


class RoleLabeller(Protocol):
    """What labels an abstract's sentences (e.g. `SentenceRoleClassifier`)."""

    def predict_abstract(self, sentences: Sequence[str]) -> Sequence[RolePredictionLike]: ...


class JournalAwareLabeller(Protocol):
    """A labeller that also reads the abstract's journal (the abstract-level role model)."""

    def predict_abstract(
        self, sentences: Sequence[str], journal: str = ""
    ) -> Sequence[RolePredictionLike]: ...
    def knows_journal(self, journal: str) -> bool: ...


@dataclass(frozen=True)
class ConfiguredRoleModel:
    """A loaded sentence-role model and the name the applications show for it."""

    name: str
    labeller: RoleLabeller


class AbstractRoles(BaseModel):
    """Each sentence of an abstract as a span labelled with its role (NO_ROLE where none),
    and where the roles came from: headings, a model (named), or nowhere."""

    model_config = ConfigDict(frozen=True)

    source: RoleSource
    model: str | None = None
    journal: str | None = Field(
        default=None, description="The journal the model read; None when it read none."
    )
    spans: tuple[Span, ...] = ()


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


def _spans(text: str, sentences: Sequence[str], labels: Sequence[tuple[str, float]]) -> list[Span]:
    """Spans of `sentences` found in order in `text`, with their (role, score)."""
    spans: list[Span] = []
    position = 0
    for sentence, (role, score) in zip(sentences, labels, strict=True):
        start = text.find(sentence, position)
        if start < 0:  # a sentence re-joined across an abbreviation: locate its first word
            start = text.find(sentence.split()[0], position)
        end = start + len(sentence)
        position = end
        spans.append(Span(start=start, end=end, label=role, score=score))
    return spans


def reads_journal(labeller: RoleLabeller, journal: str) -> bool:
    """True when `labeller` reads journals and knows `journal` (counted it in training)."""
    knows = getattr(labeller, "knows_journal", None)
    return bool(journal) and callable(knows) and bool(knows(journal))


def sentence_role_spans(text: str, labeller: RoleLabeller, journal: str = "") -> list[Span]:
    """One span per sentence of `text`, labelled with its predicted role and probability.
    `journal` reaches a labeller that reads journals and knows it (`reads_journal`)."""
    sentences = split_abstract_sentences(text)
    if not sentences:
        return []
    if reads_journal(labeller, journal):
        aware = cast("JournalAwareLabeller", labeller)
        predictions = aware.predict_abstract(sentences, journal=journal)
    else:
        predictions = labeller.predict_abstract(sentences)
    return _spans(text, sentences, [(p.role, p.score) for p in predictions])


def abstract_roles(
    text: str, model: ConfiguredRoleModel | None = None, journal: str = ""
) -> AbstractRoles:
    """Roles from the headings when the abstract has any, else from `model` when given;
    `journal` (MEDLINE abbreviation, optional) is read by a model that reads journals and
    knows it, and the result names it (`AbstractRoles.journal`)."""
    by_heading = roled_sentences(text)
    if any(s.role != NO_ROLE for s in by_heading):
        labels = [(s.role, 1.0) for s in by_heading]
        return AbstractRoles(
            source="headings", spans=tuple(_spans(text, [s.text for s in by_heading], labels))
        )
    if model is None:
        sentences = split_abstract_sentences(text)
        labels = [(NO_ROLE, 1.0)] * len(sentences)
        return AbstractRoles(source="none", spans=tuple(_spans(text, sentences, labels)))
    journal = journal.strip()
    spans = sentence_role_spans(text, model.labeller, journal)
    used = journal if reads_journal(model.labeller, journal) else None
    return AbstractRoles(source="model", model=model.name, journal=used, spans=tuple(spans))


def load_configured_role_model(
    folder: Path | None, *, precision: str = "fp32", cache_dir: Path | None = None
) -> ConfiguredRoleModel | None:
    """The model of `settings.lm.sentence_role_model` (either kind), named by its folder and
    kind; None when no folder is configured. A folder that does not load is an InputError.
    A per-sentence torch classifier runs in `precision` (`medlm.lm.precision`: "auto" keeps the
    fastest path whose macro-F1 stays within 0.005 of fp32, cached per machine in `cache_dir`);
    an abstract-level model and an ONNX export run as they were saved."""
    if folder is None:
        return None
    from medlm.training.abstract_model import is_abstract_model, load_role_model

    kind = "abstract-level" if is_abstract_model(folder) else "per-sentence"
    labeller = load_role_model(folder)
    use_precision = getattr(labeller, "use_precision", None)
    if use_precision is not None and precision != "fp32":
        use_precision(precision, cache_dir=cache_dir)
    name = f"{Path(folder).name} ({kind} sentence-role model)"
    logger.info("sentence-role model loaded: %s", name)
    return ConfiguredRoleModel(name=name, labeller=labeller)
