"""Value sets: which codes (LOINC, SNOMED CT, ICD-10-CM, medlm) express each clinical concept.

Every `*.yaml` file in this folder is loaded (another area may add a file for a concept it
alone needs); each list carries its source and verification tag (see `models.py`). The records
boundary uses this library to give Observations a `concept` and its canonical unit, and
Conditions their `concepts`; applications read concepts, never raw codes.

Text mapping (`conditions_from_text`) is meant for the display text of a coded Condition (a
problem-list entry whose code medlm does not know): it is a whole-word phrase match of the
synonyms, with no negation handling, because a Condition resource asserts the problem. Phrases
in `text_exclusions` ('family history', 'screening', ...) and a concept's `not_if` stop a match.
Do not use it on free-text notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Protocol

import pydantic
import yaml

from medlm.errors import ConfigError
from medlm.knowledge.concepts.models import (
    SYSTEMS,
    Cite,
    ConceptFile,
    ConditionConcept,
    ObservationConcept,
)

__all__ = [
    "Cite",
    "ConceptLibrary",
    "ConditionConcept",
    "ObservationConcept",
    "load_concepts",
    "normalize_phrase",
]


class CodingLike(Protocol):
    """Anything with a system and a code (medlm.records.Coding)."""

    @property
    def system(self) -> str: ...

    @property
    def code(self) -> str: ...


_SEMANTIC_TAG = re.compile(r"\((disorder|finding|situation|morphologic abnormality|event)\)")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_phrase(text: str) -> str:
    """Lower case, SNOMED semantic tag removed, punctuation to single spaces, padded with spaces."""
    text = _SEMANTIC_TAG.sub(" ", text.lower())
    return " " + " ".join(_NON_WORD.sub(" ", text).split()) + " "


@dataclass
class ConceptLibrary:
    """All value sets, indexed for look-up by code and by text."""

    observations: dict[str, ObservationConcept] = field(default_factory=dict)
    conditions: dict[str, ConditionConcept] = field(default_factory=dict)
    unit_aliases: dict[str, str] = field(default_factory=dict)
    text_exclusions: tuple[str, ...] = ()
    _by_code: dict[tuple[str, str], str] = field(default_factory=dict)
    _snomed: dict[str, set[str]] = field(default_factory=dict)

    def observation_concept(self, coding: CodingLike) -> ObservationConcept | None:
        """The concept whose value set holds this system AND code, or None."""
        key = self._by_code.get((coding.system, coding.code))
        return self.observations[key] if key else None

    def observation(self, key: str) -> ObservationConcept:
        """The observation concept with this key (ConfigError naming the known keys if none)."""
        try:
            return self.observations[key]
        except KeyError:
            known = sorted(self.observations)
            raise ConfigError(f"no observation concept {key!r}; known: {known}") from None

    def condition_concepts(self, coding: CodingLike) -> set[str]:
        """Concept keys of a Condition code: SNOMED CT exact, ICD-10-CM by prefix; with parents."""
        found: set[str] = set()
        if coding.system == SYSTEMS["snomed"]:
            found = set(self._snomed.get(coding.code, set()))
        elif coding.system == SYSTEMS["icd10cm"]:
            code = coding.code.strip().upper()
            found = {
                key
                for key, concept in self.conditions.items()
                if any(_icd_prefix(code, prefix) for prefix in concept.icd10cm)
            }
        return self.with_parents(found)

    def conditions_from_text(self, text: str) -> set[str]:
        """Concept keys whose synonyms occur (whole words) in a coded Condition's display text."""
        phrase = normalize_phrase(text)
        if any(normalize_phrase(x) in phrase for x in self.text_exclusions):
            return set()
        found = {
            key
            for key, concept in self.conditions.items()
            if any(normalize_phrase(s) in phrase for s in concept.synonyms)
            and not any(normalize_phrase(n) in phrase for n in concept.not_if)
        }
        return self.with_parents(found)

    def with_parents(self, keys: set[str]) -> set[str]:
        """The keys and every broader concept they imply (transitively)."""
        out, todo = set(keys), list(keys)
        while todo:
            for parent in self.conditions[todo.pop()].implies:
                if parent not in out:
                    out.add(parent)
                    todo.append(parent)
        return out

    def freshness_days(self, key: str) -> float | None:
        """Days a value of this concept stays usable (None: no guideline window is known)."""
        return self.observation(key).freshness_days


def _icd_prefix(code: str, prefix: str) -> bool:
    """ICD-10-CM prefix match on the code with or without its dot ('N18.32' under 'N18.3')."""
    return code.replace(".", "").startswith(prefix.upper().replace(".", ""))


def _add_file(library: ConceptLibrary, name: str, data: ConceptFile, seen: dict[str, str]) -> None:
    for kind, table in (("observation", data.observations), ("condition", data.conditions)):
        for key in table:
            where = f"{kind} {key!r}"
            if where in seen:
                raise ConfigError(f"concept file {name}: {where} is also defined in {seen[where]}")
            seen[where] = name
    for key, concept in data.observations.items():
        library.observations[key] = concept.model_copy(update={"key": key})
        for code in concept.codes:
            other = library._by_code.get((code.uri, code.code))
            if other is not None:
                raise ConfigError(
                    f"concept file {name}: observation {key!r}: code {code.uri}|{code.code} "
                    f"is already in {other!r}"
                )
            library._by_code[(code.uri, code.code)] = key
    for key, condition in data.conditions.items():
        library.conditions[key] = condition.model_copy(update={"key": key})
        for snomed in condition.snomed:
            library._snomed.setdefault(snomed, set()).add(key)
    library.unit_aliases.update(data.unit_aliases)
    library.text_exclusions += data.text_exclusions


def _parse(name: str, text: str) -> ConceptFile:
    try:
        return ConceptFile.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise ConfigError(f"concept file {name} is not valid YAML: {exc}") from exc
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"concept file {name}: {where}: {first['msg']}") from exc


def build_library(files: dict[str, str]) -> ConceptLibrary:
    """A library from file name -> YAML text (`load_concepts` passes the package's files)."""
    library, seen = ConceptLibrary(), dict[str, str]()
    for name in sorted(files):
        _add_file(library, name, _parse(name, files[name]), seen)
    for key, condition in library.conditions.items():
        unknown = [p for p in condition.implies if p not in library.conditions]
        if unknown:
            raise ConfigError(f"condition {key!r} implies unknown concept(s) {unknown}")
    for key, observation in library.observations.items():
        others = observation.units_of_other_concepts.values()
        unknown = [c for c in others if c not in library.observations]
        if unknown:
            raise ConfigError(f"observation {key!r}: units_of_other_concepts names {unknown}")
    return library


@lru_cache(maxsize=1)
def load_concepts() -> ConceptLibrary:
    """Every value-set file in this folder, validated and indexed (read once, on first use)."""
    folder = resources.files(__name__)
    files = {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }
    return build_library(files)
