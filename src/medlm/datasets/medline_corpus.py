"""MEDLINE corpus: deterministic PMID splits, sentences and the sentence-role data set.

Built at run time from the citations streamed by `medlm.datasets.medline`; nothing is copied
into the repository. Leakage rule: the split is decided per PMID (a hash of the PMID), so all
sentences of one abstract land in the same split; sentences are never split individually.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from medlm.datasets.medline import Citation
from medlm.errors import InputError

Split = Literal["train", "validation", "test"]
ROLES: tuple[str, ...] = ("BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS")

# Sentence end: ., ! or ? followed by whitespace and an upper-case letter, digit or bracket.
# Abbreviations such as "e.g." and "vs." are protected below.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")
_NO_BREAK_AFTER = ("e.g.", "i.e.", "vs.", "et al.", "approx.", "Fig.", "no.", "ca.")


def split_of(pmid: str, validation: float = 0.1, test: float = 0.1) -> Split:
    """The split of one abstract, decided only by a hash of its PMID (stable across runs)."""
    if not pmid:
        raise InputError("Citation.pmid is empty; cannot assign a split")
    if validation < 0 or test < 0 or validation + test >= 1:
        raise InputError(f"split fractions validation={validation}, test={test} are not valid")
    bucket = int(hashlib.sha256(pmid.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    if bucket < test:
        return "test"
    if bucket < test + validation:
        return "validation"
    return "train"


def split_abstract_sentences(text: str) -> list[str]:
    """Split abstract text into sentences, keeping common abbreviations intact.

    Not `medlm.text.segment.split_sentences` (clinical notes: it never breaks after a single
    capital, which in notes is an initial): abstracts end sentences on "type B." and "C.", and
    the sentence-role data set (its splits and recorded figures) is defined by this splitter.
    """
    pieces = [p.strip() for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    sentences: list[str] = []
    for piece in pieces:
        if sentences and sentences[-1].endswith(_NO_BREAK_AFTER):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


class CorpusDocument(BaseModel):
    """One abstract of the pretraining corpus: title plus abstract text."""

    model_config = ConfigDict(frozen=True)

    pmid: str
    split: Split
    text: str


class RoleSentence(BaseModel):
    """One sentence of a structured abstract with its NLM role and where it stands."""

    model_config = ConfigDict(frozen=True)

    pmid: str
    split: Split
    text: str
    label: str = Field(description="One of ROLES.")
    index: int = Field(ge=0, description="Position of the sentence in its abstract.")
    count: int = Field(ge=1, description="Number of sentences in the abstract.")
    previous: str = ""
    next: str = ""
    journal: str = Field(default="", description="MEDLINE journal abbreviation; '' if unknown.")

    @property
    def relative_position(self) -> float:
        """Position in the abstract scaled to [0, 1]."""
        return self.index / max(self.count - 1, 1)


def corpus_documents(citations: Iterable[Citation]) -> Iterator[CorpusDocument]:
    """Title and abstract of every citation that has an abstract, with its split."""
    for citation in citations:
        abstract = citation.abstract.strip()
        if not abstract:
            continue
        text = f"{citation.title.strip()} {abstract}".strip()
        yield CorpusDocument(pmid=citation.pmid, split=split_of(citation.pmid), text=text)


def role_sentences(citations: Iterable[Citation]) -> Iterator[RoleSentence]:
    """Sentences of structured abstracts whose sections all carry a known NLM category.

    Abstracts with any unlabelled or unknown section are skipped as a whole, so an abstract's
    sentence positions are never partial.
    """
    for citation in citations:
        if not citation.sections or any(s.nlm_category not in ROLES for s in citation.sections):
            continue
        labelled = [
            (sentence, str(section.nlm_category))
            for section in citation.sections
            for sentence in split_abstract_sentences(section.text)
        ]
        split = split_of(citation.pmid)
        for i, (text, label) in enumerate(labelled):
            yield RoleSentence(
                pmid=citation.pmid,
                split=split,
                text=text,
                label=label,
                index=i,
                count=len(labelled),
                previous=labelled[i - 1][0] if i > 0 else "",
                next=labelled[i + 1][0] if i + 1 < len(labelled) else "",
                journal=citation.journal,
            )
