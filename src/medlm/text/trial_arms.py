"""Phrase rules for trial abstracts: who was studied, the arms compared, the primary outcomes.

These read the words of the title, objective and methods rather than dictionary entities, so
non-drug arms ("supervised exercise programme versus home-based exercise") and conditions
outside the dictionaries are found too. Each rule returns character spans of the text.
    population   "patients with X", "adults undergoing X", "in X patients"
    arms         "X versus/vs/compared with/against Y" in the title and the objective,
                 "randomized/assigned to (receive) X or Y"
                 "compare/comparing X and/with Y" in the title and the objective
    outcomes     "the primary outcome/end point(s) was X", "X was the primary outcome",
                 "primary objective was to assess X", "Outcomes were X",
                 "MAIN OUTCOME MEASURE(S): X"
"""

from __future__ import annotations

import re

from medlm.records import Span

_STOP = (
    r"(?=\s*(?:[.;:,()\[\]]|$|\b(?:who|were|was|in|at|from|between|aged|receiving|by|on|"
    r"participated|and for|and were|compared)\b))"
)
_GROUP = (
    r"(?:patients|participants|adults|children|women|men|subjects|infants|people|individuals|"
    r"couples|mothers|students|players|adolescents|gravidas)"
)
_POPULATION = (
    re.compile(
        rf"\b{_GROUP}\s+(?:with|undergoing|suffering from|after|operated for|using|"
        rf"who (?:undergo|underwent|have|had|were undergoing))\s+(?P<p>[^.;:,()]{{3,80}}?){_STOP}",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bin\s+(?!the\b|a\b|all\b|both\b|each\b)(?P<p>[A-Za-z' -]{3,50}?)\s+"
        r"(?:patients|adults|children|women|men|adolescents|students|players)\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:treatment of|treating|to treat)\s+(?:the\s+)?(?P<p>[^.;:,()]{{3,60}}?){_STOP}",
        re.IGNORECASE,
    ),
)
# Phrases after "patients with ..." that describe the data rather than the people.
_NOT_POPULATION = re.compile(r"\b(?:age|data|group|follow-up|mean|median|total)\b|\bin\b", re.I)
_ARM = r"[^.;:,()\[\]]{2,80}?"
_VERSUS = re.compile(
    rf"(?:^|(?<=[.;:,()\[\]]))\s*(?P<x>[^.;:,()\[\]]{{2,160}}?)\s+"
    rf"(?:versus|vs\.?|compared (?:with|to)|against)\s+(?P<y>{_ARM})"
    r"(?=\s*(?:[.;:,()\[\]]|$|\b(?:in|for|on|among|as|during|after|to|at)\b))",
    re.IGNORECASE,
)
_ASSIGNED = re.compile(
    rf"\b(?:randomi[sz]ed|assigned|allocated)\s+(?:\(\d:\d\)\s+)?to\s+(?:receive\s+)?(?:either\s+)?"
    rf"(?P<x>{_ARM})(?:\s*\([^)]*\))?\s+or\s+(?P<y>{_ARM}){_STOP}",
    re.IGNORECASE,
)
_COMPARING = re.compile(
    rf"\bcompar(?:e|es|ing)\s+(?P<x>{_ARM})\s+(?:and|with|to)\s+(?P<y>{_ARM})"
    r"(?=\s*(?:[.;:,()\[\]]|$|\b(?:in|for|on|among|as|during|after|at|when)\b))",
    re.IGNORECASE,
)
# Leading words of a phrase that are not part of an arm's name.
_ARM_LEAD = re.compile(
    r"^.*\b(?:of|on|between|comparing|compare|compared|evaluate|that|whether|using|"
    r"trial|study|analysis|effects?|efficacy|safety|performance|impact|assigned to|"
    r"randomi[sz]ed to|allocated to|treated with|receiving|received|receive)\s+",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"(?:\s+(?:vs|versus)|[\s-])+$", re.IGNORECASE)
_LEAD_WORDS = re.compile(r"^(?:the|a|an|either|planned|to)\s+", re.IGNORECASE)
_OUTCOMES = (
    re.compile(
        r"\b(?:(?:co-?)?primary|main)\s+(?:efficacy\s+|study\s+|joint safety\s+)?"
        r"(?:outcomes?|end[ -]?points?)(?:\s+measures?)?(?:\s+of the study)?"
        r"(?:\s+that was measured)?(?:\s+at week \d+)?(?:\s+over \d+ weeks)?\s*"
        r"(?:was|were|included|is|are|comprised|:|,)\s+(?P<o>[^.;]+)",
        re.IGNORECASE,
    ),
    re.compile(r"(?:^|[.:]\s+)(?P<o>[^.;:]{3,120}?)\s+(?:was|were) the primary outcome", re.I),
    re.compile(r"\bprimary objective was to (?:assess|evaluate|determine)\s+(?P<o>[^.;]+)", re.I),
    re.compile(r"(?:^|[.:]\s+)Outcomes were\s+(?P<o>[^.;]+)"),
    re.compile(r"MAIN OUTCOME MEASURES?:\s*(?P<o>[^.;]+)"),
)
_OBJECTIVE = re.compile(
    r"^(?:OBJECTIVES?|AIMS?|PURPOSE|BACKGROUND|INTRODUCTION|STUDY OBJECTIVE|"
    r"AIMS AND OBJECTIVES|BACKGROUND AND AIM):",
)


def _head_lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) of the title and the objective-like sections, where arms are named first."""
    out: list[tuple[int, str]] = []
    offset = 0
    for n, line in enumerate(text.split("\n")):
        if n == 0 or _OBJECTIVE.match(line):
            out.append((offset, line))
        offset += len(line) + 1
    return out


def population_spans(text: str) -> list[Span]:
    """Who was studied: condition or group phrases, first mention of each."""
    out: list[Span] = []
    for pattern in _POPULATION:
        for m in pattern.finditer(text):
            phrase = m.group("p").strip()
            if phrase.lower() in {"a", "the", "this", "these"} or _NOT_POPULATION.search(phrase):
                continue
            out.append(Span(start=m.start("p"), end=m.start("p") + len(phrase), label="population"))
    return _first_of_each(text, out)[:3]


def arm_spans(text: str) -> tuple[list[Span], list[Span]]:
    """(interventions, comparators) from 'X versus Y' and 'assigned to X or Y' phrases."""
    interventions: list[Span] = []
    comparators: list[Span] = []
    searches = [
        (offset, line, pattern)
        for offset, line in _head_lines(text)
        for pattern in (_VERSUS, _COMPARING)
    ]
    for offset, source, pattern in [*searches, (0, text, _ASSIGNED)]:
        for m in pattern.finditer(source):
            x = _trim(text, offset + m.start("x"), offset + m.end("x"))
            y = _trim(text, offset + m.start("y"), offset + m.end("y"))
            if x is None or y is None:
                continue
            interventions.append(Span(start=x[0], end=x[1], label="intervention"))
            comparators.append(Span(start=y[0], end=y[1], label="comparator"))
    return _first_of_each(text, interventions), _first_of_each(text, comparators)


def outcome_spans(text: str) -> list[Span]:
    """Primary outcome phrases as written."""
    out = [
        Span(start=m.start("o"), end=m.end("o"), label="outcome")
        for pattern in _OUTCOMES
        for m in pattern.finditer(text)
    ]
    kept: list[Span] = []
    for s in sorted(out, key=lambda s: (s.start, -s.end)):
        if not any(k.start <= s.start < k.end for k in kept):
            kept.append(s)
    return kept


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The arm's name inside a matched phrase: leading clauses and articles removed."""
    phrase = text[start:end]
    lead = _ARM_LEAD.match(phrase)
    if lead:
        start += lead.end()
    while m := _LEAD_WORDS.match(text[start:end]):
        start += m.end()
    while start < end and text[start] in " -":
        start += 1
    end = start + len(_TRAILING.sub("", text[start:end]))
    return (start, end) if end - start >= 2 else None


def _first_of_each(text: str, spans: list[Span]) -> list[Span]:
    seen: set[str] = set()
    out = []
    for s in spans:
        key = text[s.start : s.end].lower()
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
