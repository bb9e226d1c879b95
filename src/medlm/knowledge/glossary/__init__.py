"""Reviewed clinical glossaries: how each English term the web app shows is rendered per locale.

`zh_cn.yaml` holds the Simplified Chinese renderings, each with its source and verification tag
(V/S/U as in the other knowledge files; an entry without `cite` is interface wording). The web
app's zh_CN message catalogue must follow it: `Glossary.check(msgid, msgstr)` names every term
a translation renders differently, and a test runs it over the whole catalogue.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Literal

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from medlm.errors import ConfigError

__all__ = ["Glossary", "GlossaryCite", "GlossaryTerm", "TermMismatch", "load_glossary"]

Verification = Literal["V", "S", "U"]

_FILES = {"zh_CN": "zh_cn.yaml"}
_PLACEHOLDER = re.compile(r"%\(\w+\)s")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GlossaryCite(_Frozen):
    """Where a rendering comes from (a source key of the file's header) and how it was checked."""

    source: str = Field(min_length=1)
    verification: Verification
    note: str | None = None


class GlossaryTerm(_Frozen):
    """One English term, its spelling variants, and its rendering in the glossary's locale."""

    term: str = Field(min_length=1)
    zh: str = Field(min_length=1)
    variants: tuple[str, ...] = ()
    abbreviation: str | None = None
    avoid: tuple[str, ...] = ()
    cite: GlossaryCite | None = None

    @field_validator("zh")
    @classmethod
    def _rendering_is_chinese(cls, value: str) -> str:
        if not re.search(r"[\u4e00-\u9fff]", value):
            raise ValueError(f"rendering {value!r} has no Chinese character")
        return value

    def pattern(self) -> re.Pattern[str]:
        """Whole-word, case-insensitive match of the term or any variant (plural `s` allowed)."""
        words = "|".join(re.escape(w) for w in (self.term, *self.variants))
        return re.compile(rf"(?<![\w-])(?:{words})s?(?![\w-])", re.IGNORECASE)


class TermMismatch(_Frozen):
    """A translation that renders a glossary term differently, with what was expected."""

    term: str
    expected: str
    problem: str


class Glossary(_Frozen):
    """A locale's glossary file: version, locale and terms (English terms unique)."""

    version: str
    locale: str
    terms: tuple[GlossaryTerm, ...]

    @field_validator("terms")
    @classmethod
    def _terms_unique(cls, terms: tuple[GlossaryTerm, ...]) -> tuple[GlossaryTerm, ...]:
        seen: set[str] = set()
        for entry in terms:
            for word in (entry.term, *entry.variants):
                if word.lower() in seen:
                    raise ValueError(f"term {word!r} appears twice")
                seen.add(word.lower())
        return terms

    def lookup(self, term: str) -> str:
        """The rendering of an English term (case-insensitive); KeyError naming it when absent."""
        for entry in self.terms:
            if term.lower() in (w.lower() for w in (entry.term, *entry.variants)):
                return entry.zh
        raise KeyError(f"glossary {self.locale}: no term {term!r}")

    def check(self, msgid: str, msgstr: str) -> list[TermMismatch]:
        """Every glossary term in `msgid` that `msgstr` does not render as the glossary says.

        Placeholders (`%(age)s`) are names, not words shown, and are not checked."""
        msgid = _PLACEHOLDER.sub(" ", msgid)
        problems: list[TermMismatch] = []
        for entry in self.terms:
            if entry.pattern().search(msgid):
                found = [] if entry.zh in msgstr else ["missing"]
                found += [f"uses {bad!r}" for bad in entry.avoid if bad in msgstr]
                problems += [
                    TermMismatch(term=entry.term, expected=entry.zh, problem=p) for p in found
                ]
            short = entry.abbreviation
            if short and _has_word(short, msgid) and short not in msgstr:
                problems.append(
                    TermMismatch(term=short, expected=short, problem="abbreviation dropped")
                )
        return problems


def _has_word(word: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


@lru_cache(maxsize=len(_FILES))
def load_glossary(locale: str = "zh_CN") -> Glossary:
    """The packaged glossary of `locale`; ConfigError naming the file and field when malformed."""
    if locale not in _FILES:
        raise ConfigError(f"glossary: no glossary for locale {locale!r} (have {sorted(_FILES)})")
    name = _FILES[locale]
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    try:
        return Glossary.model_validate(yaml.safe_load(text))
    except pydantic.ValidationError as exc:
        raise ConfigError(f"glossary/{name}: {exc}") from exc
