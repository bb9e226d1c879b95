"""Genomics Reporting IG layouts read into records: genotype, implication, metabolizer, variant."""

from __future__ import annotations

from typing import Any

import pytest

from medlm.records import PatientRecord
from medlm.records.fhir import read_bundle, to_bundle
from medlm.records.genomics import GenomicSource, GenomicVariant, PharmacogenomicResult
from medlm.records.patient import Patient, Sex

LOINC = "http://loinc.org"
TBD = "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs"
Json = dict[str, Any]


def _component(code: str, value: Json, system: str = LOINC) -> Json:
    return {"code": {"coding": [{"system": system, "code": code}]}, **value}


def _gene(symbol: str = "CYP2C19", hgnc: str = "HGNC:2621") -> Json:
    coding = {"system": "http://www.genenames.org/geneId", "code": hgnc}
    return _component("48018-6", {"valueCodeableConcept": {"coding": [coding]}})


def _obs(rid: str, code: str, system: str = LOINC, **fields: Any) -> Json:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "subject": {"reference": "urn:uuid:pt-1"},
        "code": {"coding": [{"system": system, "code": code}]},
        **fields,
    }


def genotype(rid: str = "geno-1", diplotype: str = "CYP2C19*2/*2", **fields: Any) -> Json:
    fields.setdefault("component", [_gene()])
    return _obs(rid, "84413-4", valueCodeableConcept={"text": diplotype}, **fields)


def implication(derived_from: str, phenotype: Json, code: str = "53040-2", **fields: Any) -> Json:
    drug = {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "32968"}]}
    components = [
        _component("51963-7", {"valueCodeableConcept": drug}),
        _component(code, {"valueCodeableConcept": phenotype}, LOINC if code[0].isdigit() else TBD),
    ]
    return _obs(
        "imp-1",
        "therapeutic-implication",
        TBD,
        derivedFrom=[{"reference": derived_from}],
        component=components,
        **fields,
    )


def bundle(*resources: Json) -> Json:
    patient = {"resourceType": "Patient", "id": "pt-1", "gender": "female"}
    entries = [{"fullUrl": "urn:uuid:pt-1", "resource": patient}]
    entries += [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _read_pgx(*resources: Json) -> list[PharmacogenomicResult]:
    report = read_bundle(bundle(*resources))
    assert report.rejections == []
    return report.records[0].pharmacogenomics


def test_ig_genotype_with_an_hgnc_coding_gives_gene_and_diplotype() -> None:
    (result,) = _read_pgx(genotype())
    assert (result.gene, result.diplotype, result.phenotype) == ("CYP2C19", "CYP2C19*2/*2", None)


def test_genotype_without_gene_component_takes_the_gene_before_the_star_alleles() -> None:
    (result,) = _read_pgx(genotype(diplotype="CYP2C9 *1/*3", component=[]))
    assert result.gene == "CYP2C9"


def test_implication_joins_its_genotype_by_urn_uuid_reference() -> None:
    poor = {"coding": [{"system": LOINC, "code": "LA9657-3", "display": "Poor metabolizer"}]}
    geno, imp = _read_pgx(genotype(), implication("urn:uuid:geno-1", poor))
    assert geno.id == "geno-1"
    assert (imp.id, imp.gene, imp.diplotype, imp.phenotype) == (
        "imp-1",
        "CYP2C19",
        "CYP2C19*2/*2",
        "Poor metabolizer",
    )
    assert imp.derived_from == ["geno-1"]


def test_implication_reads_a_contained_genotype() -> None:
    contained = genotype(rid="g", diplotype="*1/*2")
    del contained["subject"]
    poor = {"text": "Intermediate metabolizer"}
    (imp,) = _read_pgx(implication("#g", poor, contained=[contained]))
    assert (imp.gene, imp.diplotype, imp.phenotype, imp.derived_from) == (
        "CYP2C19",
        "*1/*2",
        "Intermediate metabolizer",
        [],
    )


def test_stu3_predicted_implication_code_only_answer_is_given_its_loinc_display() -> None:
    poor = {"coding": [{"system": LOINC, "code": "LA9657-3"}]}
    imp = implication("Observation/geno-1", poor, code="predicted-therapeutic-implication")
    _, result = _read_pgx(genotype(), imp)
    assert result.phenotype == "Poor metabolizer"


def test_implication_whose_genotype_is_missing_is_rejected_at_derived_from() -> None:
    report = read_bundle(bundle(implication("urn:uuid:nowhere", {"text": "Poor metabolizer"})))
    (rejection,) = report.rejections
    assert rejection.field == "Observation.derivedFrom"
    assert "urn:uuid:nowhere" in rejection.reason


def test_flat_metabolizer_status_with_gene_component_is_a_phenotype() -> None:
    flat = _obs("ms-1", "53040-2", component=[_gene()], valueCodeableConcept={"text": "Poor"})
    (result,) = _read_pgx(flat)
    assert (result.gene, result.diplotype, result.phenotype) == ("CYP2C19", None, "Poor")


@pytest.mark.parametrize(
    ("resource", "field"),
    [
        (_obs("ms-2", "53040-2", valueCodeableConcept={"text": "Poor"}), "Observation.component"),
        (genotype(diplotype="*2/*2", component=[]), "Observation.component"),
        (genotype(status="entered-in-error"), "Observation.status"),
    ],
    ids=["metabolizer-without-gene", "genotype-without-gene", "entered-in-error"],
)
def test_unreadable_genomic_resource_is_a_rejection_with_its_path(
    resource: Json, field: str
) -> None:
    report = read_bundle(bundle(resource))
    assert [r.field for r in report.rejections] == [field]
    assert report.records[0].pharmacogenomics == []


def _variant(rid: str, value: str = "Present", source: str | None = "LA6684-0") -> Json:
    components = [
        _gene("EGFR", "HGNC:3236"),
        _component("48004-6", {"valueCodeableConcept": {"text": "NM_005228.5:c.2573T>G"}}),
        _component("48005-3", {"valueCodeableConcept": {"text": "NP_005219.2:p.Leu858Arg"}}),
    ]
    if source is not None:
        coding = {"system": LOINC, "code": source}
        components.append(_component("48002-0", {"valueCodeableConcept": {"coding": [coding]}}))
    components[0]["valueCodeableConcept"]["coding"][0]["display"] = "EGFR"
    return _obs(rid, "69548-6", valueCodeableConcept={"text": value}, component=components)


def test_somatic_tumour_variant_becomes_a_typed_variant_record() -> None:
    report = read_bundle(bundle(_variant("v-1"), _variant("v-2", source="LA6683-2")))
    assert report.rejections == []
    somatic, germline = report.records[0].variants
    assert (somatic.gene, somatic.protein_change, somatic.source) == (
        "EGFR",
        "NP_005219.2:p.Leu858Arg",
        GenomicSource.SOMATIC,
    )
    assert somatic.dna_change == "NM_005228.5:c.2573T>G"
    assert germline.source == GenomicSource.GERMLINE


def test_variant_assessed_absent_is_rejected_not_recorded_as_found() -> None:
    report = read_bundle(bundle(_variant("v-3", value="Absent")))
    assert [r.field for r in report.rejections] == ["Observation.valueCodeableConcept"]
    assert report.records[0].variants == []


def test_pgx_results_and_variants_round_trip_through_the_writer() -> None:
    record = PatientRecord(
        patient=Patient(id="p9", sex=Sex.MALE, age=60),
        pharmacogenomics=[
            PharmacogenomicResult(
                id="g9", patient_id="p9", gene="CYP2C19", diplotype="*1/*99",
                phenotype="Indeterminate", phenotype_source="CPIC CYP2C19 table",
                notes=["CYP2C19 *99 not in the CPIC allele table"],
            )
        ],
        variants=[
            GenomicVariant(
                id="v9", patient_id="p9", gene="KRAS", protein_change="p.Gly12Asp",
                source=GenomicSource.SOMATIC,
            ),
            GenomicVariant(id="v10", patient_id="p9", gene="BRCA1", dna_change="c.68_69del"),
        ],
    )  # fmt: skip
    report = read_bundle(to_bundle([record]))
    assert report.rejections == []
    assert report.records[0].pharmacogenomics == record.pharmacogenomics
    assert report.records[0].variants == record.variants
