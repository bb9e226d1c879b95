"""Name recognizer: capitalised tokens after cues (titles, "patient", "name is", "(MRN") and
Census-list "First Last" pairs, then every later mention of a found name in the same document."""

from __future__ import annotations

import re
from collections.abc import Iterator

from medlm.privacy.categories import PhiLabel
from medlm.privacy.census_names import find_census_names
from medlm.privacy.terms import clinical_terms
from medlm.records import Span

_TOKEN = r"(?:[A-Z][a-z]+(?:[-'][A-Z][a-z]+)*|[A-Z]\.)"
_NAME = rf"{_TOKEN}(?:[ ]{_TOKEN}){{0,2}}"
_BEFORE = re.compile(
    r"(?:\b(?:[Mm]r|[Mm]rs|[Mm]s|Mx|Miss|[Dd]r|Prof|Pt|Patient|patient|pt|Nurse|RN|NP|PA|"
    r"Sister|Brother|husband|wife|son|daughter|mother|father|spouse|contact|"
    r"name is|[Nn]ame:|named|also charted as|charted as|known as|aka|a\.k\.a\.|goes by|signed by|"
    r"attending|dictated by|seen by|referred by|per)\.?:?\s+)"
    rf"(?P<name>{_NAME})"
)
_QUOTED = re.compile(
    r"\b(?:called|goes by|nickname|known as|prefers)\s+(?:to be called\s+)?['\"“‘]"
    r"(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+)?)['\"”’]"
)
_AFTER = re.compile(
    rf"(?P<name>[A-Z][a-z]+(?:[-'][A-Z][a-z]+)*(?:[ ]{_TOKEN}){{1,2}})"
    r"(?=\s*(?:\(\s*(?:MRN|DOB|age|\d)|,\s*(?:a|an)?\s*\d{1,3}[- ]?(?:y|year)|,\s*(?:DOB|MRN)))"
)
_LEAD = re.compile(r"^(?:Progress|Note|Discharge|Summary|Consult|Admission)\b")


def _strip_common(name: str, common: frozenset[str]) -> str:
    """Drop leading and trailing tokens that are ordinary words; empty when none remain."""
    tokens = name.split(" ")
    while tokens and tokens[0].lower().rstrip(".") in common:
        tokens.pop(0)
    while tokens and tokens[-1].lower().rstrip(".") in common:
        tokens.pop()
    return " ".join(tokens)


def _cued(text: str) -> Iterator[tuple[int, str, float]]:
    common = clinical_terms().common_words
    for regex, score in ((_BEFORE, 0.85), (_QUOTED, 0.85), (_AFTER, 0.8)):
        for m in regex.finditer(text):
            raw = m.group("name")
            if _LEAD.match(raw):
                continue
            name = _strip_common(raw, common)
            if len(name) < 2 or (len(name) == 2 and name.endswith(".")):
                continue
            yield m.start("name") + raw.index(name), name, score


def find_names(text: str) -> Iterator[Span]:
    """Yield NAME spans for cued names and for every repeat of their surname-like tokens."""
    found: dict[str, float] = {}
    terms = clinical_terms()
    stop = terms.common_words | terms.eponyms | terms.scores
    census = [(s.start, s.text_in(text), s.score) for s in find_census_names(text, stop)]
    for start, name, score in [*_cued(text), *census]:
        yield Span(start=start, end=start + len(name), label=PhiLabel.NAME.value, score=score)
        for token in re.split(r"[ ]", name):
            if len(token) > 2 and not token.endswith("."):
                found[token] = max(found.get(token, 0.0), score - 0.1)
            if "-" in token:
                found[token.replace("-", " ")] = score - 0.1
                for part in token.split("-"):
                    if len(part) > 2:
                        found.setdefault(part, score - 0.2)
    for token, score in found.items():
        for m in re.finditer(rf"\b{re.escape(token)}\b", text):
            yield Span(start=m.start(), end=m.end(), label=PhiLabel.NAME.value, score=score)
