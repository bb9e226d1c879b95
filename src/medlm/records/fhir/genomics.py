"""Genomics Reporting IG Observations in and out: pharmacogene genotypes and variants.

Reads the HL7 Genomics Reporting IG (STU2/STU3) layouts into records (codes and their sources in
`genomics_codes`):

- genotype (84413-4, gene-studied 48018-6, value the diplotype, e.g. "CYP2C19*2/*2" or
  "*2/*2"), also medlm's own layout with a 53040-2 phenotype component (`pgx_resource`);
- therapeutic implication (`therapeutic-implication`, phenotype in component 53040-2 or
  `predicted-therapeutic-implication`), whose gene and diplotype come from the genotype it is
  `derivedFrom` (contained `#id`, or any reference the document index resolves);
- flat metabolizer status (53040-2 with a gene-studied component, value the phenotype);
- variant (69548-6: gene, DNA change 48004-6, amino-acid change 48005-3, source class 48002-0).

Pharmacogene results become `PharmacogenomicResult`s (joined per gene later by
`medlm.records.pgx.resolve_pharmacogenomics`), variants `GenomicVariant`s. A resource that cannot
be read raises FieldError naming the path and value.
"""

from __future__ import annotations

from typing import Any, Protocol

from medlm.records.coding import Coding
from medlm.records.fhir import genomics_codes as gc
from medlm.records.fhir.parse import (
    Converted,
    FieldError,
    Json,
    build,
    concept_text,
    optional_coding,
    record_id,
)
from medlm.records.genomics import GenomicSource, GenomicVariant, PharmacogenomicResult

# LOINC Observation codes routed here by the Observation reader (see `is_genomic`).
GENOMIC_CODES = frozenset({gc.GENOTYPE, gc.METABOLIZER_STATUS, gc.VARIANT})
_UNUSABLE = {"entered-in-error", "cancelled"}


class Resolver(Protocol):
    """What the document index offers: the resource a Reference names, or None."""

    def resolve(self, reference: Any, holder: Json | None = None) -> Json | None: ...


def is_genomic(coding: Coding) -> bool:
    """Whether an Observation code is one of the Genomics Reporting layouts read here."""
    if coding.system == gc.LOINC:
        return coding.code in GENOMIC_CODES
    return coding.system in gc.TBD_SYSTEMS and coding.code == gc.THERAPEUTIC_IMPLICATION


def _code_of(res: Json) -> Coding:
    codings = [c for c in (res.get("code") or {}).get("coding") or [] if c.get("code")]
    for c in codings:
        coding = Coding(system=c.get("system") or "", code=c["code"])
        if is_genomic(coding):
            return coding
    raise FieldError("Observation.code", "not a Genomics Reporting code")


def _components(res: Json) -> dict[str, tuple[int, Json]]:
    """Components by each of their codes, with their position."""
    out: dict[str, tuple[int, Json]] = {}
    for i, comp in enumerate(res.get("component") or []):
        for c in (comp.get("code") or {}).get("coding") or []:
            if c.get("code"):
                out.setdefault(str(c["code"]), (i, comp))
    return out


def _value_text(holder: Json, path: str, answers: dict[str, str] | None = None) -> str | None:
    """The text of a value[x]: CodeableConcept text/display/code (a known LOINC answer code is
    given its display), or a string; FieldError for other types."""
    if "valueCodeableConcept" in holder:
        concept = holder["valueCodeableConcept"]
        coding = optional_coding(concept)
        if answers and not concept.get("text") and coding and not coding.display:
            return answers.get(coding.code, coding.code)
        return concept_text(concept)
    if "valueString" in holder:
        return str(holder["valueString"]).strip() or None
    others = [k for k in holder if k.startswith("value")]
    if others:
        raise FieldError(f"{path}.{others[0]}", "expected valueCodeableConcept or valueString")
    return None


def _gene(res: Json, prefix: str = "Observation") -> str | None:
    found = _components(res).get(gc.GENE_STUDIED)
    if found is None:
        return None
    i, comp = found
    return _value_text(comp, f"{prefix}.component[{i}]", gc.HGNC_SYMBOLS)


def _phenotype(res: Json) -> str | None:
    components = _components(res)
    for code in (gc.METABOLIZER_STATUS, gc.PREDICTED_IMPLICATION):
        if code in components:
            i, comp = components[code]
            return _value_text(comp, f"Observation.component[{i}]", gc.METABOLIZER_ANSWERS)
    return None


def _check_status(res: Json) -> None:
    if res.get("status") in _UNUSABLE:
        raise FieldError("Observation.status", f"{res['status']!r}: the result is not to be used")


def genomic_observation(res: Json, ref: str, index: Resolver | None = None) -> Converted:
    """A Genomics Reporting Observation as records (see the module docstring); `index`, when
    given, resolves an implication's `derivedFrom` beyond contained resources."""
    _check_status(res)
    code = _code_of(res)
    if code.code == gc.VARIANT:
        return Converted("variants", [_variant(res, ref)], ref)
    if code.code == gc.GENOTYPE:
        record = _genotype(res, ref)
    elif code.code == gc.METABOLIZER_STATUS:
        record = _metabolizer_status(res, ref)
    else:
        record = _implication(res, ref, index)
    return Converted("pharmacogenomics", [record], ref)


def _result(res: Json, ref: str, **values: Any) -> PharmacogenomicResult:
    return build(
        PharmacogenomicResult,
        {"gene": "component", "diplotype": "valueCodeableConcept"},
        "Observation",
        id=record_id(res),
        patient_id=ref,
        **values,
    )


def _notes(res: Json) -> tuple[str | None, list[str]]:
    """medlm's own notes on a genotype it wrote: the phenotype source and result notes."""
    source, notes = None, []
    for note in res.get("note") or []:
        text = str(note.get("text", ""))
        if text.startswith(gc.NOTE_PHENOTYPE_SOURCE):
            source = text[len(gc.NOTE_PHENOTYPE_SOURCE) :]
        elif text.startswith(gc.NOTE_RESULT):
            notes.append(text[len(gc.NOTE_RESULT) :])
    return source, notes


def _gene_of_diplotype(diplotype: str | None) -> str | None:
    """'CYP2C19*2/*2' or 'CYP2C19 *2/*2' -> 'CYP2C19'; None without a gene prefix."""
    if diplotype is None or "*" not in diplotype:
        return None
    return diplotype.split("*", 1)[0].strip() or None


def _genotype(res: Json, ref: str, prefix: str = "Observation") -> PharmacogenomicResult:
    diplotype = _value_text(res, prefix)
    gene = _gene(res, prefix) or _gene_of_diplotype(diplotype)
    if gene is None:
        raise FieldError(
            f"{prefix}.component",
            f"genotype {diplotype!r} names no gene: no gene-studied ({gc.GENE_STUDIED}) "
            "component and no gene before the star alleles",
        )
    source, notes = _notes(res)
    return _result(
        res, ref, gene=gene, diplotype=diplotype, phenotype=_phenotype(res),
        phenotype_source=source, notes=notes,
    )  # fmt: skip


def _metabolizer_status(res: Json, ref: str) -> PharmacogenomicResult:
    gene = _gene(res)
    if gene is None:
        raise FieldError(
            "Observation.component",
            f"metabolizer status without a gene-studied ({gc.GENE_STUDIED})",
        )
    phenotype = _value_text(res, "Observation", gc.METABOLIZER_ANSWERS)
    if phenotype is None:
        raise FieldError("Observation.value[x]", "metabolizer status without a value")
    return _result(res, ref, gene=gene, phenotype=phenotype)


def _implication(res: Json, ref: str, index: Resolver | None) -> PharmacogenomicResult:
    phenotype = _phenotype(res)
    if phenotype is None:
        raise FieldError(
            "Observation.component",
            f"therapeutic implication without a phenotype ({gc.METABOLIZER_STATUS} or "
            f"{gc.PREDICTED_IMPLICATION})",
        )
    gene = _gene(res)
    for i, reference in enumerate(res.get("derivedFrom") or []):
        genotype = _resolve(reference, res, index)
        if genotype is None:
            continue
        record = _genotype(genotype, ref, f"Observation.derivedFrom[{i}]")
        if gene is not None and record.gene.upper() != gene.upper():
            continue
        contained = str(reference.get("reference", "")).startswith("#")
        derived = [] if contained or record.id is None else [record.id]
        return record.model_copy(
            update={"id": record_id(res), "phenotype": phenotype, "derived_from": derived}
        )
    refs = [str(r.get("reference")) for r in res.get("derivedFrom") or []]
    if gene is None:
        raise FieldError(
            "Observation.derivedFrom",
            f"therapeutic implication names no gene and its genotype ({', '.join(refs) or 'none'})"
            " is not in the document",
        )
    derived = [r.rsplit("/", 1)[-1] for r in refs if r.startswith("Observation/")]
    return _result(res, ref, gene=gene, phenotype=phenotype, derived_from=derived)


def _resolve(reference: Json, holder: Json, index: Resolver | None) -> Json | None:
    """The genotype Observation a derivedFrom names, if it is contained or indexed."""
    text = str((reference or {}).get("reference", ""))
    found: Json | None = None
    if text.startswith("#"):
        found = next(
            (c for c in holder.get("contained") or [] if str(c.get("id")) == text[1:]), None
        )
    elif index is not None:
        found = index.resolve(reference, holder)
    if found is None or found.get("resourceType") != "Observation":
        return None
    codings = (found.get("code") or {}).get("coding") or []
    return found if any(c.get("code") == gc.GENOTYPE for c in codings) else None


def _variant(res: Json, ref: str) -> GenomicVariant:
    present = res.get("valueCodeableConcept")
    if present is not None:
        coding = optional_coding(present)
        said = (concept_text(present) or "").strip().lower()
        if (coding is None or coding.code != gc.PRESENT) and said != "present":
            raise FieldError(
                "Observation.valueCodeableConcept",
                f"variant assessment {concept_text(present)!r}: medlm records variants found "
                "('Present', LA9633-4) only",
            )
    components = _components(res)
    gene = _gene(res)
    if gene is None:
        raise FieldError(
            "Observation.component", f"variant without a gene-studied ({gc.GENE_STUDIED})"
        )
    text = {
        code: _value_text(comp, f"Observation.component[{i}]")
        for code, (i, comp) in components.items()
    }
    variation = components.get(gc.VARIATION_CODE)
    return build(
        GenomicVariant,
        {"gene": "component"},
        "Observation",
        id=record_id(res),
        patient_id=ref,
        gene=gene,
        dna_change=text.get(gc.DNA_CHANGE),
        protein_change=text.get(gc.AMINO_ACID_CHANGE),
        source=_source(components.get(gc.GENOMIC_SOURCE_CLASS)),
        code=optional_coding(variation[1].get("valueCodeableConcept")) if variation else None,
    )


def _source(found: tuple[int, Json] | None) -> GenomicSource:
    """LOINC LL378-1 germline / somatic; anything else (e.g. 'likely somatic') is unknown."""
    if found is None:
        return GenomicSource.UNKNOWN
    concept = found[1].get("valueCodeableConcept") or {}
    coding = optional_coding(concept)
    key = gc.SOURCE_CLASS.get(coding.code if coding else "", "")
    key = key or (concept_text(concept) or "").strip().lower()
    return GenomicSource(key) if key in ("germline", "somatic") else GenomicSource.UNKNOWN


def _component(code: str, value: Json) -> Json:
    return {"code": {"coding": [{"system": gc.LOINC, "code": code}]}, **value}


def pgx_resource(result: PharmacogenomicResult) -> Json:
    """A PGx result as a Genomics Reporting 'Genotype' Observation (84413-4) with medlm's
    phenotype component (53040-2); its phenotype source and notes go in `note`."""
    out: Json = {"resourceType": "Observation", "status": "final"}
    out["code"] = {"coding": [{"system": gc.LOINC, "code": gc.GENOTYPE}]}
    if result.diplotype is not None:
        out["valueCodeableConcept"] = {"text": result.diplotype}
    components = [_component(gc.GENE_STUDIED, {"valueCodeableConcept": {"text": result.gene}})]
    if result.phenotype is not None:
        components.append(
            _component(gc.METABOLIZER_STATUS, {"valueCodeableConcept": {"text": result.phenotype}})
        )
    out["component"] = components
    notes = [gc.NOTE_PHENOTYPE_SOURCE + result.phenotype_source] if result.phenotype_source else []
    notes += [gc.NOTE_RESULT + note for note in result.notes]
    if notes:
        out["note"] = [{"text": text} for text in notes]
    return out


def variant_resource(variant: GenomicVariant) -> Json:
    """A variant as a Genomics Reporting 'Variant' Observation (69548-6, value 'Present')."""
    out: Json = {"resourceType": "Observation", "status": "final"}
    out["code"] = {"coding": [{"system": gc.LOINC, "code": gc.VARIANT}]}
    out["valueCodeableConcept"] = {
        "coding": [{"system": gc.LOINC, "code": gc.PRESENT, "display": "Present"}]
    }
    components = [_component(gc.GENE_STUDIED, {"valueCodeableConcept": {"text": variant.gene}})]
    for code, value in (
        (gc.DNA_CHANGE, variant.dna_change),
        (gc.AMINO_ACID_CHANGE, variant.protein_change),
    ):
        if value is not None:
            components.append(_component(code, {"valueCodeableConcept": {"text": value}}))
    answer = {v: k for k, v in gc.SOURCE_CLASS.items()}.get(variant.source.value)
    if answer is not None:
        coding = {"system": gc.LOINC, "code": answer, "display": variant.source.value.title()}
        components.append(
            _component(gc.GENOMIC_SOURCE_CLASS, {"valueCodeableConcept": {"coding": [coding]}})
        )
    if variant.code is not None:
        coding = {"system": variant.code.system, "code": variant.code.code}
        if variant.code.display:
            coding["display"] = variant.code.display
        components.append(
            _component(gc.VARIATION_CODE, {"valueCodeableConcept": {"coding": [coding]}})
        )
    out["component"] = components
    return out
