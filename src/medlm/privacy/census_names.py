"""Name recognizer without cue words: "First Last" pairs with a first name or surname from the
US Census 1990 lists (the `names` package data)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from medlm.privacy.categories import PhiLabel
from medlm.records import Span

# Census 1990 lists as shipped by `names` 0.3.0 (MIT): one name, frequency %, cumulative %, rank.
_FIRST_FILES = ("dist.male.first", "dist.female.first")
_LAST_FILE = "dist.all.last"
SURNAME_RANK_LIMIT = 30_000
"""Surnames beyond this rank (of 88,799; frequency below ~0.0003%) are too rare to help and
include many ordinary words."""

_UP = r"[A-ZÀ-ÖØ-ÞĀ-Ž]"
_LOW = r"[a-zß-öø-ÿā-ž]"
_TOKEN = rf"(?:Mc|Mac|O')?{_UP}{_LOW}+(?:[-']{_UP}{_LOW}+)?"
# Zero-width matches at every token start, so overlapping pairs ("Called Kyra McKay") are tried.
_PAIR = re.compile(
    rf"(?<![\w.])(?=(?P<pair>(?P<first>{_TOKEN})(?: {_UP}\.)? (?P<last>{_TOKEN}))(?!\w))"
)
# A pair followed by one of these names an organisation or place, not a person.
_NOT_PERSON_TAIL = re.compile(
    r"^(?:'s|’s)?\s+(?:Hospital|Clinic|Center|Centre|Medical|University|College|School|"
    r"Street|St\b|Avenue|Ave\b|Road|Rd\b|Lane|Drive|Boulevard|County|Inc\b|LLC\b|"
    r"Company|Corporation|Foundation|Institute|Pharmacy|Health|Memorial)"
)
# Ordinary English words that are also on the Census lists and often start a clinical sentence.
_ENGLISH = frozenset(
    (  # noqa: SIM905
        "will start may mark bill grace hope joy faith rose june april august art don guy sue pat "
        "chase page long rich young white black brown green gray grey king case hall bell call "
        "see seen given plan note follow continue stop hold check chest pain fever rash head back "
        "new old good well nurse care home day night morning daily last next first family "
    ).split()
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*)$")


@dataclass(frozen=True)
class CensusNames:
    """Upper-case first names and surnames from the Census lists."""

    first: frozenset[str]
    last: frozenset[str]


def _read(name: str, limit: int | None = None) -> frozenset[str]:
    text = (resources.files("names") / name).read_text(encoding="utf-8")
    rows = (line.split() for line in text.splitlines() if line.strip())
    return frozenset(r[0] for r in rows if limit is None or int(r[3]) <= limit)


@lru_cache(maxsize=1)
def census_names() -> CensusNames:
    """The lists, read once; ConfigError-free: a missing `names` package raises ImportError."""
    import names  # noqa: F401  (the data files live in this package)

    first = frozenset().union(*(_read(f) for f in _FIRST_FILES))
    return CensusNames(first=first, last=_read(_LAST_FILE, SURNAME_RANK_LIMIT))


def find_census_names(text: str, stop: frozenset[str]) -> Iterator[Span]:
    """Yield NAME spans for capitalised "First [M.] Last" pairs where the first token is a Census
    first name or the last token a Census surname (both at a sentence start), neither token is in
    `stop` (lower-case clinical words, eponyms, score names) or a common English word, and no
    organisation or street word follows."""
    lists = census_names()
    for m in _PAIR.finditer(text):
        first, last, end = m.group("first"), m.group("last"), m.end("pair")
        if {first.lower(), last.lower()} & (stop | _ENGLISH):
            continue
        on_first, on_last = first.upper() in lists.first, last.upper().split("-")[0] in lists.last
        if _SENTENCE_START.search(text[max(0, m.start() - 3) : m.start()]) and not (
            on_first and on_last
        ):
            continue  # a capitalised sentence start needs both tokens on the lists
        if _NOT_PERSON_TAIL.match(text[end : end + 20]):
            continue
        if on_first or on_last:
            yield Span(start=m.start(), end=end, label=PhiLabel.NAME.value, score=0.7)
