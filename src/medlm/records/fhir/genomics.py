"""Genomics Reporting IG Observations in and out: pharmacogene genotypes and variants.

Reads the HL7 Genomics Reporting IG layouts (genotype, therapeutic implication, variant) into
`PharmacogenomicResult` and `GenomicVariant` records, and writes them back.
"""

from __future__ import annotations

from medlm.records.coding import CodeSystem
from medlm.records.fhir import codes
from medlm.records.fhir.parse import (
    Converted,
    FieldError,
    Json,
    build,
    concept_text,
    optional_coding,
    record_id,
)
from medlm.records.genomics import PharmacogenomicResult

# Observation codes routed here by the Observation reader.
GENOMIC_CODES = frozenset({codes.PGX_GENOTYPE})


def _components(res: Json) -> dict[str, Json]:
    """Components by their first code."""
    out: dict[str, Json] = {}
    for comp in res.get("component") or []:
        coding = optional_coding(comp.get("code"))
        if coding is not None:
            out[coding.code] = comp
    return out


def genomic_observation(res: Json, ref: str) -> Converted:
    """A genomic Observation as records (see GENOMIC_CODES)."""
    return _pgx(res, ref, _components(res))


def _pgx(res: Json, ref: str, components: dict[str, Json]) -> Converted:
    gene = components.get(codes.PGX_GENE_STUDIED)
    if gene is None:
        raise FieldError("Observation.component", f"no gene-studied ({codes.PGX_GENE_STUDIED})")
    phenotype = components.get(codes.PGX_PHENOTYPE)
    record = build(
        PharmacogenomicResult,
        {"gene": "component", "diplotype": "valueCodeableConcept"},
        "Observation",
        id=record_id(res),
        patient_id=ref,
        gene=concept_text(gene.get("valueCodeableConcept")),
        diplotype=concept_text(res.get("valueCodeableConcept")),
        phenotype=concept_text(phenotype.get("valueCodeableConcept")) if phenotype else None,
    )
    return Converted("pharmacogenomics", [record], ref)


def pgx_resource(result: PharmacogenomicResult) -> Json:
    """A PGx result as a Genomics Reporting 'Genotype' Observation (see `codes`)."""
    loinc = CodeSystem.LOINC.value
    out: Json = {"resourceType": "Observation", "status": "final"}
    out["code"] = {"coding": [{"system": loinc, "code": codes.PGX_GENOTYPE}]}
    if result.diplotype is not None:
        out["valueCodeableConcept"] = {"text": result.diplotype}
    components: list[Json] = [
        {
            "code": {"coding": [{"system": loinc, "code": codes.PGX_GENE_STUDIED}]},
            "valueCodeableConcept": {"text": result.gene},
        }
    ]
    if result.phenotype is not None:
        components.append(
            {
                "code": {"coding": [{"system": loinc, "code": codes.PGX_PHENOTYPE}]},
                "valueCodeableConcept": {"text": result.phenotype},
            }
        )
    out["component"] = components
    return out
