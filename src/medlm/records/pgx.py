"""Pharmacogenomic results resolved per gene: genotype and implication joined, diplotypes
translated to phenotypes with CPIC's tables (`medlm.knowledge.genomics`).

Rules, one result per gene:
- a phenotype the laboratory gave is kept (`phenotype_source='reported'`);
- a diplotype alone is translated with the gene's CPIC table (`phenotype_source` names the table
  and its version); an allele the table does not list gives "Indeterminate" with the reason in
  `notes`, never a guess; genes without a table keep their diplotype untranslated;
- a reported phenotype that differs from the translation of the diplotype is kept, and the
  difference is written in `notes`;
- "CYP2C19 *2/*2", "CYP2C19*2/*2" and "*2/*2" are the same diplotype.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medlm.knowledge.genomics import INDETERMINATE, PgxTables, Translation, load_pgx_tables
from medlm.records.genomics import PharmacogenomicResult

REPORTED = "reported"
_DIPLOTYPE = re.compile(
    r"(?:(?P<gene>[A-Za-z][A-Za-z0-9-]*)\s*)?(?P<first>\*[0-9A-Za-z.]+)\s*/\s*"
    r"(?P<second>\*[0-9A-Za-z.]+)"
)


@dataclass(frozen=True)
class Diplotype:
    """A star-allele diplotype, e.g. gene 'CYP2C19', alleles ('*2', '*2')."""

    gene: str | None
    first: str
    second: str

    @property
    def text(self) -> str:
        return f"{self.first}/{self.second}"


def parse_diplotype(text: str) -> Diplotype | None:
    """'CYP2C19 *2/*2' -> Diplotype('CYP2C19', '*2', '*2'); None when not star alleles."""
    match = _DIPLOTYPE.fullmatch(text.strip())
    if match is None:
        return None
    return Diplotype(match["gene"], match["first"], match["second"])


def _norm(gene: str, phenotype: str) -> str:
    """'CYP2C19 Poor Metabolizer' and 'Poor metaboliser' -> 'poor', for comparing phenotypes."""
    text = phenotype.lower().replace(gene.lower(), " ")
    for word in ("metabolizer", "metaboliser", "phenotype"):
        text = text.replace(word, " ")
    return " ".join(text.replace("_", " ").replace("-", " ").split())


def resolve_pharmacogenomics(
    results: list[PharmacogenomicResult], tables: PgxTables | None = None
) -> list[PharmacogenomicResult]:
    """One result per gene with a phenotype wherever a cited table gives one."""
    tables = tables if tables is not None else load_pgx_tables()
    by_gene: dict[str, list[PharmacogenomicResult]] = {}
    for result in results:
        by_gene.setdefault(result.gene.strip().upper(), []).append(result)
    return [_resolve_gene(group, tables) for group in by_gene.values()]


def _is_reported(result: PharmacogenomicResult) -> bool:
    return result.phenotype is not None and result.phenotype_source in (None, REPORTED)


def _translate(
    gene: str, diplotypes: list[str], tables: PgxTables
) -> tuple[Translation | None, str | None]:
    """The CPIC translation of the gene's diplotype(s), and the diplotype in '*a/*b' form."""
    table = tables.table(gene)
    parsed = [(text, parse_diplotype(text)) for text in diplotypes]
    shown = parsed[0][1].text if parsed and parsed[0][1] is not None else None
    if table is None or not parsed:
        return None, shown
    label = table.label
    found: list[Translation] = []
    for text, diplotype in parsed:
        if diplotype is None:
            reason = f"{gene} diplotype {text!r} is not in star-allele form"
            found.append(Translation(phenotype=INDETERMINATE, source=label, reason=reason))
        elif diplotype.gene is not None and diplotype.gene.upper() != gene.upper():
            reason = f"diplotype {text!r} names {diplotype.gene}, not {gene}"
            found.append(Translation(phenotype=INDETERMINATE, source=label, reason=reason))
        else:
            found.append(table.translate(diplotype.first, diplotype.second))
    if len({t.phenotype for t in found}) > 1:
        listed = ", ".join(diplotypes)
        reason = f"{gene} has conflicting diplotypes ({listed})"
        return Translation(phenotype=INDETERMINATE, source=label, reason=reason), shown
    return found[0], shown


def _resolve_gene(group: list[PharmacogenomicResult], tables: PgxTables) -> PharmacogenomicResult:
    first = group[0]
    gene = first.gene.strip()
    table = tables.table(gene)
    gene = table.gene if table is not None else gene
    diplotypes = list(dict.fromkeys(r.diplotype.strip() for r in group if r.diplotype))
    genotype = next((r for r in group if r.diplotype), first)
    notes = list(dict.fromkeys(n for r in group for n in r.notes))
    derived = list(dict.fromkeys(d for r in group for d in r.derived_from))
    translation, shown = _translate(gene, diplotypes, tables)
    reported = [r.phenotype for r in group if _is_reported(r) and r.phenotype]
    phenotype, source = None, None
    if reported:
        phenotype, source = reported[0], REPORTED
        others = {p for p in reported if _norm(gene, p) != _norm(gene, reported[0])}
        if others:
            notes.append(
                f"{gene}: laboratory phenotypes differ ({', '.join(dict.fromkeys(reported))}); "
                f"the first, {reported[0]!r}, is kept"
            )
        if translation is not None and _norm(gene, translation.phenotype) != _norm(
            gene, reported[0]
        ):
            notes.append(
                f"{gene}: reported phenotype {reported[0]!r} kept; the {translation.source} "
                f"gives {translation.phenotype!r} for {', '.join(diplotypes)}"
            )
    elif translation is not None:
        phenotype, source = translation.phenotype, translation.source
        if translation.reason:
            notes.append(f"{gene} genotype could not be interpreted: {translation.reason}")
    return first.model_copy(
        update={
            "id": genotype.id,
            "gene": gene,
            "diplotype": shown
            if shown is not None and len(diplotypes) == 1
            else genotype.diplotype,
            "phenotype": phenotype,
            "phenotype_source": source,
            "derived_from": [d for d in derived if d != genotype.id],
            "notes": list(dict.fromkeys(notes)),
        }
    )
