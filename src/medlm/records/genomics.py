"""Genomic results: pharmacogenes (diplotype and phenotype) and somatic tumour variants."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from medlm.records.coding import Coding


class PharmacogenomicResult(BaseModel):
    """A pharmacogene result, e.g. CYP2C19 *2/*2, poor metabolizer."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    patient_id: str = Field(min_length=1)
    gene: str = Field(min_length=1, description="HGNC gene symbol, e.g. 'CYP2C19'.")
    diplotype: str | None = Field(default=None, description="e.g. '*2/*2'.")
    phenotype: str | None = Field(default=None, description="e.g. 'Poor Metabolizer'.")
    phenotype_source: str | None = Field(
        default=None,
        description="'reported' when the laboratory gave it, else the table that translated the "
        "diplotype (e.g. 'CPIC CYP2C19 diplotype-phenotype table').",
    )
    derived_from: list[str] = Field(
        default_factory=list, description="Ids of the genotype Observations it rests on."
    )
    notes: list[str] = Field(
        default_factory=list,
        description="What resolving the result decided, e.g. a reported phenotype that differs "
        "from the CPIC translation of the diplotype, or why it is 'Indeterminate'.",
    )


class GenomicSource(StrEnum):
    """LOINC 48002-0 'Genomic source class' answers (LL378-1)."""

    GERMLINE = "germline"
    SOMATIC = "somatic"
    UNKNOWN = "unknown"


class GenomicVariant(BaseModel):
    """A sequence variant found in a gene (Genomics Reporting IG 'Variant', LOINC 69548-6)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    patient_id: str = Field(min_length=1)
    gene: str = Field(min_length=1, description="HGNC gene symbol, e.g. 'EGFR'.")
    dna_change: str | None = Field(default=None, description="HGVS c. notation (48004-6).")
    protein_change: str | None = Field(
        default=None, description="HGVS p. notation (48005-3), e.g. 'p.Leu858Arg'."
    )
    source: GenomicSource = GenomicSource.UNKNOWN
    code: Coding | None = Field(default=None, description="Variant id, e.g. ClinVar or COSMIC.")
