"""Tumour genomics -> FDA-approved targeted therapy, checked as an oncologist would read it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from medlm.knowledge.concepts import load_concepts
from medlm.records import CodeSystem, Coding, Condition, Patient, PatientRecord
from medlm.records.genomics import GenomicSource, GenomicVariant
from medlm.records.read import read_document
from medlm.treatment import TreatmentRecommender
from medlm.treatment.results import Action, Recommendation, TreatmentReport

TODAY = date(2026, 12, 1)
SOMATIC, GERMLINE, UNKNOWN = GenomicSource.SOMATIC, GenomicSource.GERMLINE, GenomicSource.UNKNOWN
# tumour -> (code system, code) as records carry them
TUMOURS = {
    "nsclc": (CodeSystem.SNOMED, "254637007"),
    "lung, histology not coded": (CodeSystem.ICD10CM, "C34.90"),
    "melanoma": (CodeSystem.ICD10CM, "C43.9"),
    "colorectal": (CodeSystem.ICD10CM, "C18.9"),
    "breast": (CodeSystem.ICD10CM, "C50.911"),
    "gastric": (CodeSystem.ICD10CM, "C16.9"),
    "ovarian": (CodeSystem.ICD10CM, "C56.9"),
    "pancreatic": (CodeSystem.ICD10CM, "C25.9"),
    "prostate": (CodeSystem.ICD10CM, "C61"),
    "aml": (CodeSystem.ICD10CM, "C92.00"),
    "cml": (CodeSystem.ICD10CM, "C92.10"),
    "cholangiocarcinoma": (CodeSystem.ICD10CM, "C22.1"),
    "hypertension": (CodeSystem.ICD10CM, "I10"),
}


def patient(
    *tumours: str, variants: tuple[tuple[str, str | None, GenomicSource], ...]
) -> PatientRecord:
    """A patient with the given coded problems and (gene, protein change, source) variants."""
    library = load_concepts()
    conditions = []
    for name in tumours:
        system, code = TUMOURS[name]
        coding = Coding(system=system, code=code)
        concepts = sorted(library.condition_concepts(coding))
        conditions.append(Condition(patient_id="p1", code=coding, concepts=concepts))
    found = [
        GenomicVariant(id=f"v{i}", patient_id="p1", gene=g, protein_change=p, source=s)
        for i, (g, p, s) in enumerate(variants)
    ]
    return PatientRecord(
        patient=Patient(id="p1", age=64, sex="female"), conditions=conditions, variants=found
    )


def targeted(report: TreatmentReport) -> list[Recommendation]:
    return [r for r in report.recommendations if r.rule_id.startswith("oncology:")]


def regimens(report: TreatmentReport) -> set[str]:
    return {r.drug or r.drug_class or "" for r in targeted(report)}


@pytest.fixture(scope="module")
def recommender() -> TreatmentRecommender:
    return TreatmentRecommender()


def test_nsclc_with_somatic_egfr_l858r_written_three_letter_gets_osimertinib_citing_the_label(
    recommender: TreatmentRecommender,
) -> None:
    record = patient("nsclc", variants=(("EGFR", "p.Leu858Arg", SOMATIC),))
    report = recommender.recommend(record, TODAY)
    (osimertinib,) = [r for r in targeted(report) if r.drug == "osimertinib"]
    assert osimertinib.action == Action.START
    assert "EGFR L858R (p.Leu858Arg)" in osimertinib.rationale
    assert "non-small cell lung cancer" in osimertinib.rationale
    assert "TAGRISSO" in osimertinib.citation.document
    assert "FDA label" in osimertinib.citation.document
    assert osimertinib.citation.section.startswith("1 Indications and Usage")
    assert osimertinib.citation.year == 2018
    assert "approval context: first-line treatment of metastatic NSCLC" in osimertinib.rationale
    assert osimertinib.strength.startswith("FDA-approved 2018-04-18")
    assert "not a guideline grade" in osimertinib.strength
    assert {"erlotinib", "gefitinib", "afatinib", "dacomitinib"} <= regimens(report)


def test_exon_19_deletion_by_residue_range_gets_the_same_egfr_approvals_as_l858r(
    recommender: TreatmentRecommender,
) -> None:
    deletion = patient("nsclc", variants=(("EGFR", "p.Glu746_Ala750del", SOMATIC),))
    l858r = patient("nsclc", variants=(("EGFR", "p.L858R", SOMATIC),))
    assert regimens(recommender.recommend(deletion, TODAY)) == regimens(
        recommender.recommend(l858r, TODAY)
    )


def test_t790m_gets_osimertinib_after_egfr_tki_progression(
    recommender: TreatmentRecommender,
) -> None:
    report = recommender.recommend(patient("nsclc", variants=(("EGFR", "T790M", SOMATIC),)), TODAY)
    assert regimens(report) == {"osimertinib"}
    assert "progressed on or after EGFR" in targeted(report)[0].rationale


def test_colorectal_braf_v600e_gets_encorafenib_with_cetuximab_not_a_braf_mek_pair(
    recommender: TreatmentRecommender,
) -> None:
    record = patient("colorectal", variants=(("BRAF", "p.Val600Glu", SOMATIC),))
    found = regimens(recommender.recommend(record, TODAY))
    assert "encorafenib + cetuximab" in found
    assert all("cetuximab" in r for r in found)
    assert "dabrafenib + trametinib" not in found  # the label excludes colorectal cancer


def test_melanoma_braf_v600e_and_v600k_get_braf_mek_combinations(
    recommender: TreatmentRecommender,
) -> None:
    combos = {"dabrafenib + trametinib", "vemurafenib + cobimetinib", "encorafenib + binimetinib"}
    for change in ("V600E", "V600K"):
        record = patient("melanoma", variants=(("BRAF", change, SOMATIC),))
        assert regimens(recommender.recommend(record, TODAY)) == combos


def test_colorectal_braf_v600k_has_no_approval_and_says_so(
    recommender: TreatmentRecommender,
) -> None:
    record = patient("colorectal", variants=(("BRAF", "V600K", SOMATIC),))
    report = recommender.recommend(record, TODAY)
    assert targeted(report) == []
    assert any(
        "no FDA-approved targeted therapy for BRAF V600K in colorectal cancer" in m
        for m in report.missing
    )


def test_braf_v600e_in_a_solid_tumour_without_its_own_approval_uses_the_agnostic_label(
    recommender: TreatmentRecommender,
) -> None:
    record = patient("pancreatic", variants=(("BRAF", "V600E", SOMATIC),))
    (rec,) = targeted(recommender.recommend(record, TODAY))
    assert rec.drug_class == "dabrafenib + trametinib"
    assert "tumour-agnostic" in rec.rationale
    assert "no approval specific to pancreatic adenocarcinoma" in rec.rationale
    assert rec.citation.year == 2022


def test_braf_v600e_in_a_leukaemia_has_no_approval_and_points_to_trials(
    recommender: TreatmentRecommender,
) -> None:
    report = recommender.recommend(patient("aml", variants=(("BRAF", "V600E", SOMATIC),)), TODAY)
    assert targeted(report) == []
    assert any(
        "no FDA-approved targeted therapy for BRAF V600E in acute myeloid leukaemia" in m
        and "clinical trials" in m
        for m in report.missing
    )


def test_germline_only_egfr_variant_in_nsclc_recommends_nothing(
    recommender: TreatmentRecommender,
) -> None:
    record = patient("nsclc", variants=(("EGFR", "p.Leu858Arg", GERMLINE),))
    report = recommender.recommend(record, TODAY)
    assert targeted(report) == []
    assert any("germline EGFR L858R" in m for m in report.missing)


def test_germline_brca_counts_in_breast_cancer_where_the_label_says_germline(
    recommender: TreatmentRecommender,
) -> None:
    germline = patient("breast", variants=(("BRCA2", "p.Ser1982fs", GERMLINE),))
    somatic = patient("breast", variants=(("BRCA2", "p.Ser1982fs", SOMATIC),))
    assert regimens(recommender.recommend(germline, TODAY)) == {"olaparib", "talazoparib"}
    assert regimens(recommender.recommend(somatic, TODAY)) == set()


def test_somatic_brca_in_ovarian_cancer_gets_parp_maintenance_but_not_germline_only_niraparib(
    recommender: TreatmentRecommender,
) -> None:
    record = patient("ovarian", variants=(("BRCA1", "p.Glu23fs", SOMATIC),))
    report = recommender.recommend(record, TODAY)
    assert regimens(report) == {"olaparib", "rucaparib"}
    assert all("deleterious" in r.rationale for r in targeted(report))


def test_a_variant_without_a_tumour_condition_is_said_so_and_gets_no_therapy(
    recommender: TreatmentRecommender,
) -> None:
    record = patient("hypertension", variants=(("EGFR", "p.Leu858Arg", SOMATIC),))
    report = recommender.recommend(record, TODAY)
    assert targeted(report) == []
    assert any("EGFR L858R: no tumour-type condition" in m for m in report.missing)


def test_kras_g12d_gets_nothing_targeted_while_g12c_does(
    recommender: TreatmentRecommender,
) -> None:
    g12d = recommender.recommend(patient("nsclc", variants=(("KRAS", "G12D", SOMATIC),)), TODAY)
    assert targeted(g12d) == []
    assert any("no FDA-approved targeted therapy for KRAS G12D" in m for m in g12d.missing)
    g12c = recommender.recommend(patient("nsclc", variants=(("KRAS", "G12C", SOMATIC),)), TODAY)
    assert regimens(g12c) == {"sotorasib", "adagrasib"}


def test_lung_cancer_without_stated_histology_gets_no_nsclc_approval(
    recommender: TreatmentRecommender,
) -> None:
    record = patient("lung, histology not coded", variants=(("EGFR", "L858R", SOMATIC),))
    report = recommender.recommend(record, TODAY)
    assert targeted(report) == []
    assert any("EGFR L858R in lung cancer (histology not stated)" in m for m in report.missing)


@pytest.mark.parametrize(
    ("tumour", "gene", "change", "expected"),
    [
        ("nsclc", "ALK", "EML4::ALK fusion", {"alectinib", "brigatinib", "lorlatinib"}),
        ("nsclc", "ROS1", "CD74-ROS1 fusion", {"crizotinib", "entrectinib", "repotrectinib"}),
        ("nsclc", "MET", "exon 14 skipping", {"capmatinib", "tepotinib"}),
        ("nsclc", "RET", "KIF5B::RET fusion", {"selpercatinib", "pralsetinib"}),
        ("breast", "ERBB2", "amplification", {"trastuzumab", "trastuzumab deruxtecan"}),
        ("gastric", "ERBB2", "amplification", {"trastuzumab", "trastuzumab deruxtecan"}),
        ("breast", "PIK3CA", "p.His1047Arg", {"alpelisib + fulvestrant"}),
        ("aml", "FLT3", "ITD", {"midostaurin", "gilteritinib", "quizartinib"}),
        ("aml", "IDH2", "p.Arg140Gln", {"enasidenib"}),
        ("cholangiocarcinoma", "IDH1", "p.Arg132Cys", {"ivosidenib"}),
        ("cml", "BCR-ABL", None, {"imatinib", "dasatinib", "nilotinib"}),
    ],
)
def test_each_biomarker_reaches_its_labelled_therapies_in_its_tumour(
    recommender: TreatmentRecommender,
    tumour: str,
    gene: str,
    change: str | None,
    expected: set[str],
) -> None:
    record = patient(tumour, variants=((gene, change, SOMATIC),))
    assert expected <= regimens(recommender.recommend(record, TODAY))


def test_ntrk_fusion_is_tumour_agnostic_across_solid_tumours(
    recommender: TreatmentRecommender,
) -> None:
    for tumour in ("colorectal", "breast", "nsclc"):
        record = patient(tumour, variants=(("NTRK1", "TPM3::NTRK1", SOMATIC),))
        found = regimens(recommender.recommend(record, TODAY))
        assert found == {"larotrectinib", "entrectinib", "repotrectinib"}


def test_ret_fusion_outside_nsclc_gets_the_tumour_agnostic_selpercatinib_label(
    recommender: TreatmentRecommender,
) -> None:
    record = patient("pancreatic", variants=(("RET", "CCDC6::RET", SOMATIC),))
    (rec,) = targeted(recommender.recommend(record, TODAY))
    assert (rec.drug, rec.rule_id) == ("selpercatinib", "oncology:solid_ret_selpercatinib")


def test_msi_high_colorectal_uses_the_colorectal_labels_before_the_agnostic_ones(
    recommender: TreatmentRecommender,
) -> None:
    crc = regimens(
        recommender.recommend(patient("colorectal", variants=(("MSI", "MSI-H", SOMATIC),)), TODAY)
    )
    assert crc == {"pembrolizumab", "nivolumab + ipilimumab"}
    gastric = regimens(
        recommender.recommend(patient("gastric", variants=(("MSI", "MSI-H", SOMATIC),)), TODAY)
    )
    assert gastric == {"pembrolizumab"}  # dostarlimab's label names dMMR only


def test_a_variant_of_unrecorded_source_is_read_as_a_tumour_result_and_says_so(
    recommender: TreatmentRecommender,
) -> None:
    record = patient("nsclc", variants=(("EGFR", "L858R", UNKNOWN),))
    recs = targeted(recommender.recommend(record, TODAY))
    assert recs and all("genomic source not recorded" in r.rationale for r in recs)


def test_no_variants_means_no_oncology_output(recommender: TreatmentRecommender) -> None:
    report = recommender.recommend(patient("nsclc", variants=()), TODAY)
    assert targeted(report) == []
    assert not any("targeted therapy" in m for m in report.missing)


def _component(code: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"code": {"coding": [{"system": "http://loinc.org", "code": code}]}, **value}


def test_fhir_bundle_with_a_genomics_ig_variant_and_nsclc_condition_gets_osimertinib(
    recommender: TreatmentRecommender,
) -> None:
    variant = {
        "resourceType": "Observation",
        "id": "var-1",
        "status": "final",
        "subject": {"reference": "urn:uuid:pt-1"},
        "code": {"coding": [{"system": "http://loinc.org", "code": "69548-6"}]},
        "valueCodeableConcept": {
            "coding": [{"system": "http://loinc.org", "code": "LA9633-4", "display": "Present"}]
        },
        "component": [
            _component("48018-6", {"valueCodeableConcept": {"coding": [
                {"system": "http://www.genenames.org/geneId", "code": "HGNC:3236",
                 "display": "EGFR"}]}}),
            _component("48004-6", {"valueCodeableConcept": {"text": "NM_005228.5:c.2573T>G"}}),
            _component("48005-3", {"valueCodeableConcept": {"text": "NP_005219.2:p.Leu858Arg"}}),
            _component("48002-0", {"valueCodeableConcept": {"coding": [
                {"system": "http://loinc.org", "code": "LA6684-0", "display": "Somatic"}]}}),
        ],
    }  # fmt: skip
    condition = {
        "resourceType": "Condition",
        "id": "cond-1",
        "subject": {"reference": "urn:uuid:pt-1"},
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "254637007",
                             "display": "Non-small cell lung cancer (disorder)"}]},
    }  # fmt: skip
    patient_json = {"resourceType": "Patient", "id": "pt-1", "gender": "male"}
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:{r['id']}", "resource": r}
            for r in (patient_json, condition, variant)
        ],
    }
    (record,) = read_document(bundle).records
    report = recommender.recommend(record, TODAY)
    (osimertinib,) = [r for r in targeted(report) if r.drug == "osimertinib"]
    assert "somatic EGFR L858R (NP_005219.2:p.Leu858Arg)" in osimertinib.rationale
    assert "TAGRISSO" in str(osimertinib.citation)
