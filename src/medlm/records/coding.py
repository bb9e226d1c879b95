"""Codes from terminologies (LOINC, ICD-10-CM, SNOMED CT, RxNorm, ...) as one small record."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class CodeSystem(StrEnum):
    """Terminologies medlm reads and writes, with their FHIR system URIs."""

    LOINC = "http://loinc.org"
    ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
    SNOMED = "http://snomed.info/sct"
    RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
    MESH = "http://id.nlm.nih.gov/mesh"
    DRUGBANK = "http://www.drugbank.ca"
    UCUM = "http://unitsofmeasure.org"
    HGNC = "http://www.genenames.org"
    MEDLM = "urn:medlm"


class Coding(BaseModel):
    """One code in one terminology."""

    model_config = ConfigDict(frozen=True)

    system: str = Field(description="Terminology URI, usually a CodeSystem value.")
    code: str = Field(min_length=1)
    display: str | None = None

    def __str__(self) -> str:
        return f"{self.system}|{self.code}"
