"""Genomics Reporting IG bundles with an active clopidogrel order, end to end through treatment.

Acceptance (issue 15): a CYP2C19 *2/*2 genotype in the IG layout (genotype + therapeutic
implication, genotype with the diplotype only, or a flat metabolizer status) and an active
clopidogrel order yield the high-severity pharmacogenomic issue. The end-to-end tests rely on
`records.normalize` resolving pharmacogenomic results per gene; the last test checks the same
bundles with `resolve_pharmacogenomics` called here, independent of that wiring.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from medlm.records import PatientRecord
from medlm.records.fhir import read_bundle
from medlm.records.pgx import resolve_pharmacogenomics
from medlm.records.read import read_document
from medlm.treatment import TreatmentRecommender
from medlm.treatment.results import TreatmentReport

LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
TBD = "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs"
AS_OF = date(2024, 6, 1)
Json = dict[str, Any]


def _entry(resource: Json) -> Json:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def _obs(rid: str, system: str, code: str, **fields: Any) -> Json:
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "subject": {"reference": "urn:uuid:pt-acs"},
        "code": {"coding": [{"system": system, "code": code}]},
        **fields,
    }


def _component(system: str, code: str, value: Json) -> Json:
    return {"code": {"coding": [{"system": system, "code": code}]}, "valueCodeableConcept": value}


HGNC_CYP2C19 = {
    "system": "http://www.genenames.org/geneId",
    "code": "HGNC:2621",
    "display": "CYP2C19",
}
GENE = _component(LOINC, "48018-6", {"coding": [HGNC_CYP2C19]})


def genotype(diplotype: str) -> Json:
    return _obs(
        "geno-1", LOINC, "84413-4", valueCodeableConcept={"text": diplotype}, component=[GENE]
    )


def implication(phenotype: str, code: str) -> Json:
    clopidogrel = {"coding": [{"system": RXNORM, "code": "32968", "display": "clopidogrel"}]}
    status = {"coding": [{"system": LOINC, "code": code, "display": phenotype}]}
    return _obs(
        "imp-1", TBD, "therapeutic-implication",
        derivedFrom=[{"reference": "urn:uuid:geno-1"}],
        component=[_component(LOINC, "51963-7", clopidogrel), _component(LOINC, "53040-2", status)],
    )  # fmt: skip


def metabolizer_status(phenotype: str) -> Json:
    return _obs(
        "ms-1", LOINC, "53040-2", valueCodeableConcept={"text": phenotype}, component=[GENE]
    )


def bundle(*genomics: Json) -> Json:
    """A 64-year-old man after PCI on clopidogrel 75 mg, with the given genomic Observations."""
    patient = {
        "resourceType": "Patient",
        "id": "pt-acs",
        "gender": "male",
        "birthDate": "1960-03-02",
    }
    order = {
        "resourceType": "MedicationRequest",
        "id": "rx-clopidogrel",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "urn:uuid:pt-acs"},
        "authoredOn": "2024-05-20",
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": "32968", "display": "clopidogrel"}],
            "text": "clopidogrel",
        },
    }
    entries = [_entry(patient), _entry(order), *[_entry(g) for g in genomics]]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


IG_LAYOUTS = {
    "genotype+implication": (genotype("*2/*2"), implication("Poor metabolizer", "LA9657-3")),
    "genotype-diplotype-only": (genotype("CYP2C19 *2/*2"),),
    "genotype-prefixed-no-space": (genotype("CYP2C19*2/*2"),),
    "flat-metabolizer-status": (metabolizer_status("Poor metabolizer"),),
}


def _recommend(document: Json) -> TreatmentReport:
    report = read_document(document)
    assert report.rejections == []
    (record,) = report.records
    return TreatmentRecommender().recommend(record, as_of=AS_OF)


def _clopidogrel_issues(report: TreatmentReport) -> list[tuple[str, list[str]]]:
    return [(i.severity.value, i.drugs) for i in report.issues if i.kind.value == "pharmacogenomic"]


@pytest.mark.parametrize("layout", list(IG_LAYOUTS))
def test_cyp2c19_poor_metabolizer_on_clopidogrel_gets_the_high_severity_issue(layout: str) -> None:
    report = _recommend(bundle(*IG_LAYOUTS[layout]))
    assert _clopidogrel_issues(report) == [("high", ["clopidogrel"])]


@pytest.mark.parametrize("diplotype", ["*1/*1", "*1/*17"])
def test_normal_or_rapid_metabolizer_on_clopidogrel_gets_no_issue(diplotype: str) -> None:
    report = _recommend(bundle(genotype(diplotype)))
    assert _clopidogrel_issues(report) == []
    assert not [m for m in report.missing if "CYP2C19" in m]


def test_unknown_allele_gives_no_issue_but_says_the_genotype_was_not_interpreted() -> None:
    report = _recommend(bundle(genotype("*1/*99")))
    assert _clopidogrel_issues(report) == []
    assert any("CYP2C19" in m and "indeterminate" in m for m in report.missing)
    assert any("not interpretable" in m for m in report.missing)
    assert any("CYP2C19 genotype:" in m and "*99" in m for m in report.missing)  # the reason


def _resolved(document: Json) -> PatientRecord:
    (record,) = read_bundle(document).records
    return record.model_copy(
        update={"pharmacogenomics": resolve_pharmacogenomics(record.pharmacogenomics)}
    )


@pytest.mark.parametrize(
    ("genomics", "expected", "phenotype"),
    [
        (IG_LAYOUTS["genotype+implication"], [("high", ["clopidogrel"])], "Poor metabolizer"),
        (IG_LAYOUTS["genotype-diplotype-only"], [("high", ["clopidogrel"])], "Poor Metabolizer"),
        (IG_LAYOUTS["flat-metabolizer-status"], [("high", ["clopidogrel"])], "Poor metabolizer"),
        ((genotype("*1/*1"),), [], "Normal Metabolizer"),
        ((genotype("*1/*17"),), [], "Rapid Metabolizer"),
        ((genotype("*1/*99"),), [], "Indeterminate"),
    ],
    ids=["implication", "diplotype-only", "flat", "normal", "rapid", "unknown-allele"],
)
def test_resolved_ig_bundle_gives_the_cpic_outcome(
    genomics: tuple[Json, ...], expected: list[tuple[str, list[str]]], phenotype: str
) -> None:
    record = _resolved(bundle(*genomics))
    (result,) = record.pharmacogenomics
    assert result.phenotype == phenotype
    report = TreatmentRecommender().recommend(record, as_of=AS_OF)
    assert _clopidogrel_issues(report) == expected
