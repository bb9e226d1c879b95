"""`MedicalTextAnalyzer`: sections, sentences, entities, codes and context of one document.

    analyzer = MedicalTextAnalyzer()
    result = analyzer.analyze("Denies chest pain. Mother had breast cancer.", targets=["rash"])

The packaged dictionaries are loaded on first use (a few seconds, once per process).
Problems and drugs come from the dictionaries by default; with `tagger=EntityTagger.load(folder)`
a fine-tuned token classifier finds them first and the dictionaries add the spans it misses.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from medlm.errors import InputError
from medlm.records import ClinicalNote, Span
from medlm.text.context import ContextEngine
from medlm.text.dictionary import Match, Term, TermIndex
from medlm.text.icd10 import icd_index
from medlm.text.measurements import Found, MeasurementReader
from medlm.text.medications import SigReader
from medlm.text.normalize import Normalizer, packaged_index
from medlm.text.results import Assertion, CodeMatch, Entity, Section, TextAnalysis
from medlm.text.sections import Sectionizer, section_at
from medlm.text.segment import Token, join_spanning, split_sentences, tokenize
from medlm.text.vocabulary import MAX_TERM_CHARS, TargetTerm, Vocabulary, as_targets

if TYPE_CHECKING:  # the tagger brings in torch; load it only when a tagger is given
    from medlm.text.tagger import EntityTagger

logger = logging.getLogger(__name__)

MAX_CHARS = 200_000


class MedicalTextAnalyzer:
    """Rule and dictionary pipeline for clinical notes and biomedical abstracts."""

    def __init__(
        self, max_chars: int = MAX_CHARS, packaged: bool = True, tagger: EntityTagger | None = None
    ) -> None:
        """`packaged=False` finds only the caller's targets and measurements (no dictionaries).

        `tagger`: a learned problem/drug tagger whose spans come before the dictionaries'.
        """
        self.max_chars = max_chars
        self.packaged = packaged
        self.tagger = tagger
        self._parts: tuple[TermIndex, Normalizer] | None = None
        self.sectionizer = Sectionizer()
        self.context = ContextEngine()
        self.measurements = MeasurementReader()
        self.sig = SigReader()

    def _lexicon(self) -> tuple[TermIndex, Normalizer]:
        if self._parts is None:
            if self.packaged:
                self._parts = (packaged_index(), Normalizer(packaged_index(), icd_index()))
            else:
                self._parts = (TermIndex(), Normalizer(TermIndex(), None))
        return self._parts

    def warm_up(self) -> MedicalTextAnalyzer:
        """Load the dictionaries now rather than on the first call."""
        self._lexicon()
        return self

    def analyze(
        self,
        document: str | ClinicalNote,
        targets: Sequence[str | TargetTerm] = (),
        vocabulary: Vocabulary | None = None,
        doc_id: str | None = None,
    ) -> TextAnalysis:
        """Analyse one document; `targets` and `vocabulary` add terms for this call."""
        note = document if isinstance(document, ClinicalNote) else None
        text = note.text if note is not None else str(document)
        self._check(text)
        terms = as_targets(list(targets)) + (list(vocabulary.terms) if vocabulary else [])
        sections = self.sectionizer.sections(text)
        first = sections[0].start if sections else len(text)
        bounds = [(0, first)] if first > 0 else []
        bounds += [(s.start, s.end) for s in sections]
        tokens = tokenize(text)
        target_index = _target_index(terms)
        sentences = split_sentences(text, bounds)
        if target_index is not None:  # a target across a line break keeps its sentence whole
            sentences = join_spanning(
                sentences, ((m.start, m.end) for m in target_index.search(tokens))
            )
        entities = self._entities(text, tokens, sentences, sections, target_index)
        return TextAnalysis(
            id=doc_id or (note.id if note else None),
            patient_id=note.patient_id if note else None,
            text=text,
            sentences=tuple(Span(start=a, end=b, label="sentence") for a, b in sentences),
            sections=tuple(sections),
            entities=tuple(entities),
        )

    def _check(self, text: str) -> None:
        if not text.strip():
            raise InputError("the text is empty: give a document with some words in it")
        if len(text) > self.max_chars:
            raise InputError(
                f"the text has {len(text):,} characters, more than the limit of "
                f"{self.max_chars:,}; split the document"
            )

    def _entities(
        self,
        text: str,
        tokens: list[Token],
        sentences: list[tuple[int, int]],
        sections: list[Section],
        targets: TermIndex | None,
    ) -> list[Entity]:
        index, normalizer = self._lexicon()
        found = self.measurements.read(text)
        headers = [(s.start, s.start + len(s.header)) for s in sections]
        starts = [t.start for t in tokens]
        learned = self._learned_matches(text, tokens, sentences, index)
        out: list[Entity] = []
        for n, (a, b) in enumerate(sentences):
            lo, hi = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
            sent_found = [f for f in found if a <= f.start < b]
            taken = [(f.start, f.end) for f in sent_found]
            matches = _matches(tokens, lo, hi, targets, index, taken, learned[n], headers)
            section = section_at(sections, a)
            implied = self.sectionizer.implied(section.name) if section else ()
            out.extend(
                self._sentence_entities(
                    text, tokens[lo:hi], lo, n, b, matches, sent_found, section, implied, normalizer
                )
            )
        return sorted(out, key=lambda e: (e.start, e.end))

    def _learned_matches(
        self, text: str, tokens: list[Token], sentences: list[tuple[int, int]], index: TermIndex
    ) -> list[list[Match]]:
        """The tagger's spans of each sentence as matches (none without a tagger)."""
        if self.tagger is None:
            return [[] for _ in sentences]
        from medlm.text.tagger import tagged_matches

        spans = self.tagger.tag_many(text, sentences)
        return [tagged_matches(text, tokens, s, index) for s in spans]

    def _sentence_entities(
        self,
        text: str,
        sent_tokens: list[Token],
        offset: int,
        n: int,
        sent_end: int,
        matches: list[Match],
        found: list[Found],
        section: Section | None,
        implied: tuple[str, ...],
        normalizer: Normalizer,
    ) -> list[Entity]:
        ranges = [(m.first - offset, m.last - offset) for m in matches]
        ranges += [_token_range(sent_tokens, f.start, f.end) for f in found]
        assertions = self.context.assert_targets(sent_tokens, ranges, implied)
        name = section.name if section else None
        med_starts = sorted(m.start for m in matches if m.best.label == "medication")
        out = []
        for match, assertion in zip(matches, assertions, strict=False):
            out.append(self._dictionary_entity(text, match, assertion, n, name, normalizer))
            if match.best.label == "medication":
                stop = min([s for s in med_starts if s > match.start] + [sent_end])
                details = self.sig.read(text, match.end, stop)
                if details is not None:
                    out[-1] = out[-1].model_copy(update={"medication": details})
        for f, assertion in zip(found, assertions[len(matches) :], strict=False):
            out.append(_measurement_entity(text, f, assertion, n, name))
        return out

    def _dictionary_entity(
        self,
        text: str,
        match: Match,
        assertion: Assertion,
        n: int,
        section: str | None,
        normalizer: Normalizer,
    ) -> Entity:
        best = match.best
        covered = text[match.start : match.end]
        if best.priority >= _TARGET_PRIORITY:
            preferred: str = best.preferred
            codes: tuple[CodeMatch, ...] = tuple(
                CodeMatch(coding=c, method="exact", score=1.0, matched_term=best.variant)
                for c in best.codes
            )
            known = normalizer.index.lookup(covered)
            if not codes and known:  # a target that is also a packaged term keeps its codes
                known_match = Match(match.first, match.last, match.start, match.end, known)
                codes = normalizer.codes(known_match, covered)[1]
        else:
            preferred, codes = normalizer.codes(match, covered)
        return Entity(
            span=Span(start=match.start, end=match.end, label=best.label),
            text=covered,
            label=best.label,
            source=best.source,
            preferred_name=preferred,
            codes=codes,
            assertion=assertion,
            section=section,
            sentence=n,
            expanded_from=covered if best.source == "abbreviation" else None,
        )


_TARGET_PRIORITY = 10


def _target_index(terms: list[TargetTerm]) -> TermIndex | None:
    if not terms:
        return None
    index = TermIndex(max_tokens=MAX_TERM_CHARS)  # a target of any length it may have
    for t in terms:
        codes = (t.code,) if t.code else ()
        index.add(Term(t.label, t.term, "target", t.term, True, codes, False, _TARGET_PRIORITY))
    return index


def _matches(
    tokens: list[Token],
    lo: int,
    hi: int,
    targets: TermIndex | None,
    index: TermIndex,
    taken: list[tuple[int, int]],
    learned: list[Match],
    headers: list[tuple[int, int]],
) -> list[Match]:
    """Target matches first, then tagger, then packaged matches that overlap nothing taken.

    Section headers block the tagger and the dictionaries but not the caller's own targets
    (a target "ALLERGIES: TO PENICILLIN" is found where a header starts it)."""
    chosen: list[Match] = []
    for source in (targets, learned, index):
        if source is not None:
            found = source if isinstance(source, list) else source.search(tokens, lo, hi)
            for m in found:
                if not any(m.start < e and s < m.end for s, e in taken):
                    chosen.append(m)
                    taken = [*taken, (m.start, m.end)]
        if source is targets:
            taken = [*taken, *headers]
    return sorted(chosen, key=lambda m: m.start)


def _token_range(tokens: list[Token], start: int, end: int) -> tuple[int, int]:
    inside = [i for i, t in enumerate(tokens) if start <= t.start < end]
    return (inside[0], inside[-1]) if inside else (0, 0)


def _measurement_entity(
    text: str, f: Found, assertion: Assertion, n: int, section: str | None
) -> Entity:
    codes = (
        (CodeMatch(coding=f.coding, method="exact", score=1.0, matched_term=f.name),)
        if f.coding
        else ()
    )
    return Entity(
        span=Span(start=f.start, end=f.end, label=f.label),
        text=text[f.start : f.end],
        label=f.label,
        source="measurement-rules",
        preferred_name=f.coding.display if f.coding else f.name,
        codes=codes,
        assertion=assertion,
        section=section,
        sentence=n,
        measurement=f.measurement,
    )
