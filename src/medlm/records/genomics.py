"""Pharmacogenomic results: a gene, its diplotype and the interpreted phenotype."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PharmacogenomicResult(BaseModel):
    """A pharmacogene result, e.g. CYP2C19 *2/*2, poor metabolizer."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    patient_id: str = Field(min_length=1)
    gene: str = Field(min_length=1, description="HGNC gene symbol, e.g. 'CYP2C19'.")
    diplotype: str | None = Field(default=None, description="e.g. '*2/*2'.")
    phenotype: str | None = Field(default=None, description="e.g. 'Poor Metabolizer'.")
