"""Tokens and sentences of clinical text, with character offsets into the original string.

Clinical text breaks the rules of edited prose: lists without full stops, one finding per line,
abbreviations with dots ("b.i.d.", "Dr."), decimals ("8.2%"). The splitter ends a sentence at
'.', '?' or '!' followed by space and a capital or digit (not after a known abbreviation or an
initial), at a blank line, and at a line break before a capital, a digit or a bullet.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\d+(?:\.\d+)?(?![\w])|\w+(?:['’]\w+)?|[^\w\s]")
_NO_BREAK_AFTER = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "vs",
        "e.g",
        "i.e",
        "etc",
        "approx",
        "no",
        "fig",
        "al",
        "resp",
        "temp",
        "wt",
        "ht",
        "mg",
        "ca",
        "inc",
        "jr",
        "sr",
    ]
)
_SENTENCE_END = re.compile(r"[.?!]+[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_LINE_START = re.compile(r"\n(?=[ \t]*(?:[A-Z0-9]|[-*•]\s))")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its text lower-cased, its text as written, and its character range."""

    lower: str
    raw: str
    start: int
    end: int


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word, number and punctuation tokens of `text[start:end]`, offsets into `text`."""
    stop = len(text) if end is None else end
    return [
        Token(m.group().lower(), m.group(), m.start(), m.end())
        for m in _TOKEN.finditer(text, start, stop)
    ]


def token_key(text: str) -> tuple[str, ...]:
    """The lower-cased token texts of `text` (fast path of `tokenize` for dictionary keys)."""
    return tuple(_TOKEN.findall(text.lower()))


def _word_before(text: str, pos: int) -> str:
    """The word (with inner dots) ending at `pos`, lower-cased."""
    i = pos
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] == "."):
        i -= 1
    return text[i:pos].lower().rstrip(".")


def _breaks(text: str, start: int, end: int) -> list[int]:
    cuts: set[int] = set()
    for m in _SENTENCE_END.finditer(text, start, end):
        word = _word_before(text, m.start())
        if word in _NO_BREAK_AFTER or (len(word) == 1 and word.isalpha()):
            continue
        cuts.add(m.end())
    for pattern in (_BLANK_LINE, _LINE_START):
        cuts.update(m.start() for m in pattern.finditer(text, start, end))
    return sorted(c for c in cuts if start < c < end)


def split_sentences(
    text: str, bounds: list[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """Sentence ranges `(start, end)` with surrounding space trimmed, within each of `bounds`.

    `bounds` are ranges no sentence may cross (e.g. sections); default: the whole text.
    """
    sentences: list[tuple[int, int]] = []
    for lo, hi in bounds or [(0, len(text))]:
        edges = [lo, *_breaks(text, lo, hi), hi]
        for a, b in itertools.pairwise(edges):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                sentences.append((a, b))
    return sentences


def join_spanning(
    sentences: list[tuple[int, int]], spans: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """`sentences` with each run of sentences that one span crosses joined into one.

    A caller's target term written across a line break ("CHANGE OF\\nTHE JOINT") shows that the
    break wraps a line rather than ending a sentence, so the sentences either side are one.
    """
    out = list(sentences)
    for start, end in sorted(spans):
        crossed = [i for i, (a, b) in enumerate(out) if a < end and start < b]
        if len(crossed) > 1:
            first, last = crossed[0], crossed[-1]
            out[first : last + 1] = [(out[first][0], out[last][1])]
    return out
