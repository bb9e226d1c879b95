"""Dictionary matching: longest whole-token matches of terms (diseases, drugs, user terms) in text.

Terms are keyed by their lower-cased token sequence (the same tokenizer as the text), so
matching costs one hash look-up per candidate length at each token, and a term matches however
the text spaces or wraps it ("CHANGE OF  THE JOINT", a line break inside the span): whitespace is
never part of a key, and offsets are those of the original text. A term of one short token
(four characters or fewer, e.g. 'COPD', 'CAPS') matches only where the text writes it in
capitals, unless the word is on the stop list's `short_words` (e.g. 'gout', 'rash').
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from medlm.records import Coding
from medlm.text.segment import Token, token_key

_MAX_TOKENS = 8


@dataclass(frozen=True, slots=True)
class Term:
    """One way of writing a concept, with what it is and where it came from."""

    label: str
    preferred: str
    source: str
    variant: str
    is_preferred: bool = True
    codes: tuple[Coding, ...] = ()
    upper_only: bool = False
    priority: int = 0  # higher wins when two terms share a span


@dataclass(slots=True)
class Match:
    """A run of tokens `[first, last]` matched to one or more terms."""

    first: int
    last: int
    start: int
    end: int
    terms: list[Term] = field(default_factory=list)

    @property
    def best(self) -> Term:
        return max(self.terms, key=lambda t: t.priority)


def term_key(text: str) -> tuple[str, ...]:
    """The lookup key of a term: its lower-cased tokens."""
    return token_key(text)


class TermIndex:
    """A hash index from token sequences to terms, with longest-match search."""

    def __init__(self, max_tokens: int = _MAX_TOKENS) -> None:
        """`max_tokens`: longer terms are not indexed (the packaged dictionaries' cut-off)."""
        self.max_tokens = max_tokens
        self._terms: dict[tuple[str, ...], list[Term]] = {}
        self._longest: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._terms)

    def add(self, term: Term, key: tuple[str, ...] | None = None) -> None:
        """Add a term under its variant's key (or an explicit key)."""
        key = key if key is not None else term_key(term.variant)
        if not key or len(key) > self.max_tokens:
            return
        self._terms.setdefault(key, []).append(term)
        if len(key) > self._longest.get(key[0], 0):
            self._longest[key[0]] = len(key)

    def add_all(self, terms: Iterable[Term]) -> None:
        for term in terms:
            self.add(term)

    def terms(self) -> Iterator[Term]:
        """Every term in the index."""
        for terms in self._terms.values():
            yield from terms

    def lookup(self, text: str) -> list[Term]:
        """Terms written exactly as `text` (case-insensitive)."""
        return list(self._terms.get(term_key(text), []))

    def search(
        self, tokens: list[Token], start: int = 0, stop: int | None = None
    ) -> Iterator[Match]:
        """Longest non-overlapping matches, left to right, within tokens[start:stop]."""
        stop = len(tokens) if stop is None else stop
        i = start
        while i < stop:
            longest = self._longest.get(tokens[i].lower, 0)
            found = None
            for n in range(min(longest, stop - i), 0, -1):
                key = tuple(t.lower for t in tokens[i : i + n])
                terms = self._terms.get(key)
                if terms:
                    allowed = [t for t in terms if _case_ok(t, tokens[i : i + n])]
                    if allowed:
                        found = Match(i, i + n - 1, tokens[i].start, tokens[i + n - 1].end, allowed)
                        break
            if found is None:
                i += 1
                continue
            yield found
            i = found.last + 1


def _case_ok(term: Term, tokens: list[Token]) -> bool:
    if not term.upper_only:
        return True
    raw = "".join(t.raw for t in tokens)
    return (any(c.isupper() for c in raw) and raw != raw.capitalize()) or raw.isupper()
