"""resolve_pharmacogenomics: one result per gene, lab phenotypes kept, diplotypes via CPIC."""

from __future__ import annotations

import pytest

from medlm.records.genomics import PharmacogenomicResult
from medlm.records.pgx import REPORTED, parse_diplotype, resolve_pharmacogenomics


def _pgx(gene: str = "CYP2C19", rid: str = "g1", **fields: object) -> PharmacogenomicResult:
    return PharmacogenomicResult(id=rid, patient_id="p1", gene=gene, **fields)


@pytest.mark.parametrize(
    ("text", "gene", "alleles"),
    [
        ("*2/*2", None, ("*2", "*2")),
        ("CYP2C19 *2/*17", "CYP2C19", ("*2", "*17")),
        ("CYP2C19*1/*2", "CYP2C19", ("*1", "*2")),
        (" *1 / *9 ", None, ("*1", "*9")),
    ],
)
def test_star_allele_diplotypes_parse_with_or_without_gene(
    text: str, gene: str | None, alleles: tuple[str, str]
) -> None:
    parsed = parse_diplotype(text)
    assert parsed is not None
    assert (parsed.gene, parsed.first, parsed.second) == (gene, *alleles)


def test_rs_genotype_is_not_a_star_allele_diplotype() -> None:
    assert parse_diplotype("rs4149056 T/C") is None


@pytest.mark.parametrize(
    ("diplotype", "phenotype"),
    [
        ("*2/*2", "Poor Metabolizer"),
        ("CYP2C19 *2/*2", "Poor Metabolizer"),
        ("CYP2C19*1/*2", "Intermediate Metabolizer"),
        ("*1/*1", "Normal Metabolizer"),
        ("*1/*17", "Rapid Metabolizer"),
    ],
)
def test_diplotype_alone_is_translated_with_the_cpic_table(diplotype: str, phenotype: str) -> None:
    (result,) = resolve_pharmacogenomics([_pgx(diplotype=diplotype)])
    assert result.phenotype == phenotype
    assert result.phenotype_source is not None and "CPIC CYP2C19" in result.phenotype_source
    assert result.diplotype == diplotype.split(" ")[-1].removeprefix("CYP2C19")
    assert result.notes == []


def test_genotype_and_implication_merge_into_one_result_keeping_the_lab_phenotype() -> None:
    genotype = _pgx(diplotype="*2/*2")
    implication = _pgx(
        rid="t1", diplotype="*2/*2", phenotype="Poor metabolizer", derived_from=["g1"]
    )
    (result,) = resolve_pharmacogenomics([genotype, implication])
    assert (result.id, result.diplotype, result.phenotype) == ("g1", "*2/*2", "Poor metabolizer")
    assert result.phenotype_source == REPORTED
    assert result.notes == []


def test_flat_metabolizer_status_and_genotype_of_the_same_gene_merge() -> None:
    flat = _pgx(rid="m1", phenotype="Poor metabolizer")
    genotype = _pgx(diplotype="*2/*3")
    (result,) = resolve_pharmacogenomics([flat, genotype])
    assert (result.id, result.diplotype, result.phenotype) == ("g1", "*2/*3", "Poor metabolizer")


def test_reported_phenotype_that_differs_from_the_translation_is_kept_and_noted() -> None:
    (result,) = resolve_pharmacogenomics([_pgx(diplotype="*2/*2", phenotype="Normal metabolizer")])
    assert (result.phenotype, result.phenotype_source) == ("Normal metabolizer", REPORTED)
    (note,) = result.notes
    assert "'Normal metabolizer' kept" in note and "'Poor Metabolizer'" in note


def test_unknown_allele_is_indeterminate_with_the_reason_never_guessed() -> None:
    (result,) = resolve_pharmacogenomics([_pgx(diplotype="*1/*99")])
    assert result.phenotype == "Indeterminate"
    (note,) = result.notes
    assert "could not be interpreted" in note and "*99" in note


def test_diplotype_naming_another_gene_is_indeterminate() -> None:
    (result,) = resolve_pharmacogenomics([_pgx(diplotype="CYP2C9 *1/*1")])
    assert result.phenotype == "Indeterminate"
    assert "names CYP2C9" in result.notes[0]


def test_conflicting_diplotypes_of_one_gene_are_indeterminate() -> None:
    results = [_pgx(diplotype="*1/*1"), _pgx(rid="g2", diplotype="*2/*2")]
    (result,) = resolve_pharmacogenomics(results)
    assert result.phenotype == "Indeterminate"
    assert "conflicting diplotypes" in result.notes[0]


def test_gene_without_a_cpic_table_keeps_its_diplotype_untranslated() -> None:
    (result,) = resolve_pharmacogenomics([_pgx(gene="VKORC1", diplotype="rs9923231 C/T")])
    assert (result.diplotype, result.phenotype, result.phenotype_source) == (
        "rs9923231 C/T",
        None,
        None,
    )


def test_slco1b1_and_cyp2c9_are_translated_and_genes_stay_apart() -> None:
    results = [
        _pgx(gene="slco1b1", rid="s1", diplotype="*1/*5"),
        _pgx(gene="CYP2C9", rid="c1", diplotype="*1/*3"),
    ]
    slco, cyp = resolve_pharmacogenomics(results)
    assert (slco.gene, slco.phenotype) == ("SLCO1B1", "Decreased Function")
    assert (cyp.gene, cyp.phenotype) == ("CYP2C9", "Intermediate Metabolizer")


def test_resolving_twice_changes_nothing() -> None:
    results = [_pgx(diplotype="*1/*99"), _pgx(gene="CYP2C9", rid="c1", diplotype="*2/*3")]
    once = resolve_pharmacogenomics(results)
    assert resolve_pharmacogenomics(once) == once
