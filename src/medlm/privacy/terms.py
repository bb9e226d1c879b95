"""Loads the privacy knowledge files: restricted ZIP areas and clinical look-alike terms."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from medlm.errors import ConfigError


@dataclass(frozen=True)
class ClinicalTerms:
    """Lower-case vocabularies that suppress false-positive PHI spans."""

    eponyms: frozenset[str]
    scores: frozenset[str]
    common_words: frozenset[str]
    units: frozenset[str]


def _load(name: str) -> dict[str, object]:
    path = resources.files("medlm.knowledge.privacy") / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ConfigError(f"privacy knowledge file {name} is not a mapping")
    return data


@lru_cache(maxsize=1)
def restricted_zip3() -> frozenset[str]:
    """Three-digit ZIP areas of 20,000 people or fewer (HHS guidance, 2000 Census)."""
    codes = _load("restricted_zip3.yaml")["restricted"]
    if not isinstance(codes, list):
        raise ConfigError("restricted_zip3.yaml: `restricted` must be a list")
    return frozenset(str(c) for c in codes)


@lru_cache(maxsize=1)
def clinical_terms() -> ClinicalTerms:
    """The clinical vocabularies of `clinical_terms.yaml`."""
    data = _load("clinical_terms.yaml")

    def words(key: str) -> frozenset[str]:
        values = data.get(key)
        if not isinstance(values, list):
            raise ConfigError(f"clinical_terms.yaml: `{key}` must be a list")
        return frozenset(str(v).lower() for v in values)

    return ClinicalTerms(words("eponyms"), words("scores"), words("common_words"), words("units"))
