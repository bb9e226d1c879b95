"""User vocabularies: target terms a caller adds for one call or saves under a name.

A researcher asking "is *pneumonia* negated here?" passes `targets=["pneumonia"]`; a team that
tracks the same concepts saves them once (`VocabularyStore.save`) and names the vocabulary on
each call. Saved vocabularies are JSON files in `<data_dir>/vocabularies/`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from medlm.errors import InputError, ValidationError
from medlm.records import Coding

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_TERM_CHARS = 200


class TargetTerm(BaseModel):
    """A term to find, with the label it gets and an optional code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    term: str = Field(min_length=1, max_length=MAX_TERM_CHARS)
    label: str = Field(default="target", min_length=1, max_length=64)
    code: Coding | None = None


class Vocabulary(BaseModel):
    """A named list of target terms."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    terms: tuple[TargetTerm, ...] = Field(min_length=1)
    description: str | None = None


def as_targets(items: Sequence[str | TargetTerm]) -> list[TargetTerm]:
    """Plain strings become targets labelled 'target'; blank strings are an InputError."""
    out: list[TargetTerm] = []
    for i, item in enumerate(items):
        if isinstance(item, TargetTerm):
            out.append(item)
        elif isinstance(item, str) and len(item.strip()) > MAX_TERM_CHARS:
            raise InputError(
                f"targets[{i}] has {len(item.strip()):,} characters, more than the limit of "
                f"{MAX_TERM_CHARS}; give a shorter term"
            )
        elif isinstance(item, str) and item.strip():
            try:
                out.append(TargetTerm(term=item.strip()))
            except PydanticValidationError as exc:  # e.g. a lone surrogate, not text
                reason = exc.errors()[0]["msg"]
                raise InputError(f"targets[{i}] is not a valid term: {reason}") from None
        else:
            raise InputError(f"targets[{i}] is {item!r}; a target must be a non-empty term")
    return out


class VocabularyStore:
    """Saved vocabularies in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ValidationError(
                f"vocabulary name {name!r} is invalid: use letters, digits, '.', '_' or '-'",
                record="Vocabulary",
                field="name",
            )
        return self.folder / f"{name}.json"

    def save(self, vocabulary: Vocabulary) -> Path:
        """Write (or replace) a vocabulary; returns its file."""
        path = self._path(vocabulary.name)
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_text(vocabulary.model_dump_json(indent=2), encoding="utf-8")
        return path

    def load(self, name: str) -> Vocabulary:
        """A saved vocabulary, or an InputError naming the missing or broken file."""
        path = self._path(name)
        if not path.is_file():
            known = ", ".join(self.names()) or "none"
            raise InputError(f"no saved vocabulary named {name!r} (saved: {known})")
        try:
            return Vocabulary.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, PydanticValidationError) as exc:
            raise InputError(f"vocabulary file {path} is not a valid vocabulary: {exc}") from exc

    def names(self) -> list[str]:
        """Names of the saved vocabularies, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json"))
