"""Normalisation: one index of all packaged terms, and the codes (with method and score) of a match.

Problems get MeSH (from the disease dictionary) and ICD-10-CM (see `icd10`); medications get
MeSH and DrugBank ids from the drug dictionary. A dictionary code is `exact` when the text is the
concept's preferred name and `synonym` otherwise; abbreviations are coded through their expansion.
"""

from __future__ import annotations

from functools import cache

from medlm.knowledge.text import abbreviations, stoplist
from medlm.records import CodeSystem
from medlm.text.dictionary import Match, Term, TermIndex
from medlm.text.icd10 import IcdIndex, icd_index
from medlm.text.results import CodeMatch
from medlm.text.terminology import disease_terms, drug_terms

PREFERRED_SCORE = 1.0
SYNONYM_SCORE = 0.95
EXPANSION_FACTOR = 0.95


@cache
def packaged_index() -> TermIndex:
    """Diseases, drugs, ICD-10-CM names and abbreviations in one index (built once, ~5 s)."""
    index = TermIndex()
    index.add_all(disease_terms())
    index.add_all(drug_terms())
    stop = stoplist().words
    for key, name in icd_index().detection_names():
        if name in stop:
            continue
        index.add(Term("problem", name, "icd-10-cm", name, True, (), False, priority=0), key)
    for abbr, expansion in abbreviations().expand.items():
        index.add(Term("problem", expansion, "abbreviation", abbr, False, (), True, priority=3))
    return index


class Normalizer:
    """Codes for a dictionary match."""

    def __init__(self, index: TermIndex, icd: IcdIndex | None) -> None:
        self.index = index
        self.icd = icd
        self._icd_cache: dict[str, CodeMatch | None] = {}

    def codes(self, match: Match, text: str) -> tuple[str, tuple[CodeMatch, ...]]:
        """(preferred name, codes) for a match whose covered text is `text`."""
        best = match.best
        if best.source == "abbreviation":
            return self._expanded(best)
        codes = _dictionary_codes([t for t in match.terms if t.label == best.label], text)
        if best.label == "problem":
            icd = self._icd(text) or self._icd(best.preferred, via_synonym=True)
            if icd is not None:
                codes.append(icd)
        return best.preferred, tuple(codes)

    def _expanded(self, term: Term) -> tuple[str, tuple[CodeMatch, ...]]:
        terms = [t for t in self.index.lookup(term.preferred) if t.source != "abbreviation"]
        codes = [
            c.model_copy(
                update={"method": "synonym", "score": round(c.score * EXPANSION_FACTOR, 3)}
            )
            for c in _dictionary_codes(terms, term.preferred)
        ]
        preferred = max(terms, key=lambda t: t.priority).preferred if terms else term.preferred
        icd = self._icd(term.preferred, via_synonym=True)
        if icd is not None:
            codes.append(icd)
        return preferred, tuple(codes)

    def _icd(self, name: str, via_synonym: bool = False) -> CodeMatch | None:
        key = name  # matched_term is `name` as written: a case-folded key would leak it
        if self.icd is None:
            return None
        if key not in self._icd_cache:
            self._icd_cache[key] = self.icd.code(name)
        hit = self._icd_cache[key]
        if hit is not None and via_synonym and hit.method == "exact":
            hit = hit.model_copy(update={"method": "synonym", "score": SYNONYM_SCORE})
        return hit


def _dictionary_codes(terms: list[Term], text: str) -> list[CodeMatch]:
    codes: dict[tuple[str, str], CodeMatch] = {}
    for term in terms:
        exact = term.is_preferred or text.lower() == term.preferred.lower()
        for coding in term.codes:
            if coding.system == CodeSystem.ICD10CM.value:
                continue
            match = CodeMatch(
                coding=coding,
                method="exact" if exact else "synonym",
                score=PREFERRED_SCORE if exact else SYNONYM_SCORE,
                matched_term=term.variant,
            )
            key = (coding.system, coding.code)
            if key not in codes or codes[key].score < match.score:
                codes[key] = match
    return list(codes.values())
