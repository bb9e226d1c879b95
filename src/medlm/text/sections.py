"""Sectionizer: finds section headers of notes and structured abstracts and the ranges they open."""

from __future__ import annotations

import re

from medlm.knowledge.text import SectionRule, section_rules
from medlm.text.results import Section


class Sectionizer:
    """Split a text into sections at known headers (SecTag-style, see sections.yaml).

    A header counts at the start of a line (or after a sentence end) when followed by ':', or
    alone on its line in capitals ("FAMILY HISTORY"). Text before the first header is in no
    section.
    """

    def __init__(self, rules: tuple[SectionRule, ...] | None = None) -> None:
        self.rules = rules if rules is not None else section_rules()
        self._by_header = {h: r for r in self.rules for h in r.headers}
        names = sorted(self._by_header, key=len, reverse=True)
        alternatives = "|".join(re.escape(h).replace(r"\ ", r"\s+") for h in names)
        self._pattern = re.compile(
            rf"(?:^|(?<=\n)|(?<=[.!?]\s))[ \t]*(?P<h>{alternatives})[ \t]*"
            rf"(?:(?P<colon>:)|(?=[ \t]*(?:\n|$)))",
            re.IGNORECASE,
        )

    def implied(self, name: str) -> tuple[str, ...]:
        """Assertion attributes every concept in the named section gets."""
        for rule in self.rules:
            if rule.name == name:
                return rule.implies
        return ()

    def sections(self, text: str) -> list[Section]:
        """The sections of `text`, in order, each up to the next header."""
        heads: list[tuple[int, int, str, str]] = []
        for m in self._pattern.finditer(text):
            header = m.group("h")
            if m.group("colon") is None and not header.isupper():
                continue
            # The pattern matches case-insensitively, which also pairs letters such as the
            # Turkish dotless "ı" with "I"; upper- then lower-casing maps them onto the header
            # as listed ("CONCLUSıONS" -> "conclusions").
            rule = self._by_header.get(" ".join(header.upper().lower().split()))
            if rule is None:
                continue
            heads.append((m.start("h"), m.end(), rule.name, header))
        out: list[Section] = []
        for i, (start, _body, name, header) in enumerate(heads):
            end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
            out.append(Section(name=name, header=header, start=start, end=end))
        return out


def section_at(sections: list[Section], position: int) -> Section | None:
    """The section holding a character position, if any."""
    for section in sections:
        if section.start <= position < section.end:
            return section
    return None
