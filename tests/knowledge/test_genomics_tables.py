"""CPIC pharmacogene tables: allele function, diplotype -> phenotype, never a guess."""

from __future__ import annotations

import pytest

from medlm.knowledge.genomics import INDETERMINATE, load_pgx_tables


@pytest.mark.parametrize(
    ("gene", "first", "second", "phenotype"),
    [
        ("CYP2C19", "*1", "*1", "Normal Metabolizer"),
        ("CYP2C19", "*1", "*2", "Intermediate Metabolizer"),
        ("CYP2C19", "*2", "*2", "Poor Metabolizer"),
        ("CYP2C19", "*2", "*3", "Poor Metabolizer"),
        ("CYP2C19", "*1", "*17", "Rapid Metabolizer"),
        ("CYP2C19", "*17", "*17", "Ultrarapid Metabolizer"),
        ("CYP2C19", "*2", "*17", "Intermediate Metabolizer"),
        ("CYP2C19", "*1", "*9", "Likely Intermediate Metabolizer"),
        ("CYP2C19", "*2", "*9", "Likely Poor Metabolizer"),
        ("CYP2C19", "*1", "*12", INDETERMINATE),
        ("CYP2C9", "*1", "*1", "Normal Metabolizer"),
        ("CYP2C9", "*1", "*2", "Intermediate Metabolizer"),
        ("CYP2C9", "*1", "*3", "Intermediate Metabolizer"),
        ("CYP2C9", "*2", "*3", "Poor Metabolizer"),
        ("CYP2C9", "*3", "*3", "Poor Metabolizer"),
        ("CYP2C9", "*1", "*7", INDETERMINATE),
        ("SLCO1B1", "*1", "*1", "Normal Function"),
        ("SLCO1B1", "*1", "*14", "Normal Function"),
        ("SLCO1B1", "*1", "*5", "Decreased Function"),
        ("SLCO1B1", "*2", "*5", "Possible Decreased Function"),
        ("SLCO1B1", "*5", "*15", "Poor Function"),
        ("SLCO1B1", "*1", "*2", INDETERMINATE),
    ],
)
def test_cpic_diplotype_gives_its_phenotype(
    gene: str, first: str, second: str, phenotype: str
) -> None:
    table = load_pgx_tables().table(gene)
    assert table is not None
    assert table.translate(first, second).phenotype == phenotype
    assert table.translate(second, first).phenotype == phenotype


def test_every_checked_diplotype_in_the_files_gives_its_rows_phenotype() -> None:
    for table in load_pgx_tables().genes.values():
        rows = [(r.phenotype, r.checked) for r in table.phenotypes]
        rows += [(r.phenotype, r.checked) for r in table.scores]
        for phenotype, checked in rows:
            for diplotype in checked:
                first, second = diplotype.split("/")
                assert table.translate(first, second).phenotype == phenotype, diplotype


def test_allele_missing_from_the_table_is_indeterminate_with_the_reason() -> None:
    table = load_pgx_tables().table("cyp2c19")
    assert table is not None
    result = table.translate("*1", "*99")
    assert result.phenotype == INDETERMINATE
    assert result.reason is not None and "*99" in result.reason
    assert "CPIC CYP2C19" in result.source


def test_gene_without_a_table_has_none() -> None:
    assert load_pgx_tables().table("VKORC1") is None
