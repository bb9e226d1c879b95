"""Text-analysis knowledge: typed, cited rules loaded from the YAML files beside this module.

Files: `context_rules.yaml` (ConText triggers, Harkema et al. 2009, with medlm's own changes
marked), `sections.yaml` (section headers, SecTag and NLM structured abstracts),
`abbreviations.yaml` (unambiguous clinical abbreviations), `measurements.yaml` (tests and vital
signs with LOINC codes and UCUM units), `medication_sig.yaml` (routes, frequencies, dose units),
`mesh_verified.json` (MeSH ids checked against MEDLINE) and `stoplist.yaml` (dictionary
names that are ordinary words in running text).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from medlm.errors import ConfigError

Category = Literal[
    "negated",
    "possible",
    "historical",
    "hypothetical",
    "family",
    "other_experiencer",
    "terminate",
    "pseudo",
]
Direction = Literal["forward", "backward", "both"]


class ContextRule(BaseModel):
    """One ConText trigger rule: phrases, what they assert, and which way they reach."""

    model_config = ConfigDict(frozen=True)

    phrases: tuple[str, ...]
    category: Category
    direction: Direction | None = None
    source: Literal["harkema2009", "medlm"]
    test: str | None = Field(default=None, description="Test covering a medlm rule change.")


class SectionRule(BaseModel):
    """A section name, the headers that open it, and the attributes it implies."""

    model_config = ConfigDict(frozen=True)

    name: str
    headers: tuple[str, ...]
    source: str
    implies: tuple[str, ...] = ()


class MeasurementConcept(BaseModel):
    """A test or vital sign: names as written, its code, and how its value is read."""

    model_config = ConfigDict(frozen=True)

    id: str
    names: tuple[str, ...]
    code: dict[str, str]
    components: dict[str, dict[str, str]] = {}
    pair: bool = False
    unit_if_missing: str | None = None
    source: str


class Abbreviations(BaseModel):
    model_config = ConfigDict(frozen=True)

    expand: dict[str, str]
    ambiguous: dict[str, list[str]]


class MedicationSig(BaseModel):
    model_config = ConfigDict(frozen=True)

    dose_units: dict[str, str]
    routes: dict[str, str]
    frequencies: dict[str, str]
    error_prone: tuple[str, ...]


def _load(name: str) -> dict[str, Any]:
    try:
        text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"text knowledge file {name} could not be read: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"text knowledge file {name} is not a mapping")
    return data


@cache
def context_rules() -> tuple[ContextRule, ...]:
    """The ConText trigger rules (read once; the files are immutable package data)."""
    rules = []
    for raw in _load("context_rules.yaml")["rules"]:
        phrases = tuple(p.strip() for p in str(raw.pop("phrase")).split("|") if p.strip())
        rules.append(ContextRule(phrases=phrases, **raw))
    return tuple(rules)


@cache
def section_rules() -> tuple[SectionRule, ...]:
    """The section-header rules."""
    data = _load("sections.yaml")["sections"]
    return tuple(SectionRule(name=name, **body) for name, body in data.items())


@cache
def abbreviations() -> Abbreviations:
    """Abbreviations to expand and ones left alone as ambiguous."""
    return Abbreviations.model_validate(_load("abbreviations.yaml"))


@cache
def measurement_concepts() -> tuple[tuple[MeasurementConcept, ...], dict[str, str]]:
    """The measurement concepts and the unit table (as written -> UCUM)."""
    data = _load("measurements.yaml")
    concepts = tuple(MeasurementConcept(id=cid, **body) for cid, body in data["concepts"].items())
    return concepts, {str(k): str(v) for k, v in data["units"].items()}


@cache
def medication_sig() -> MedicationSig:
    """Routes, frequencies and dose units of medication instructions."""
    return MedicationSig.model_validate(_load("medication_sig.yaml"))


@cache
def verified_mesh() -> dict[str, str]:
    """Concept name (lower case) -> MeSH id as MEDLINE names it (see medlm.text.mesh_check)."""
    try:
        text = resources.files(__package__).joinpath("mesh_verified.json").read_text("utf-8")
        names = json.loads(text)["names"]
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"text knowledge file mesh_verified.json could not be read: {exc}"
        ) from exc
    return {str(k): str(v) for k, v in names.items()}


class StopList(BaseModel):
    """Dictionary names that are ordinary words, and short words that may match in lower case."""

    model_config = ConfigDict(frozen=True)

    words: frozenset[str]
    short_words: frozenset[str] = frozenset()


@cache
def stoplist() -> StopList:
    """Dictionary names never matched on their own in running text."""
    data = _load("stoplist.yaml")
    return StopList(
        words=frozenset(str(w).lower() for w in data["words"]),
        short_words=frozenset(str(w).lower() for w in data.get("short_words", [])),
    )
