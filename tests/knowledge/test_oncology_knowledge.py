"""The targeted-therapy table and the tumour-type value sets: complete, cited, dated, consistent."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from medlm.knowledge.concepts import load_concepts
from medlm.knowledge.treatment.oncology import (
    Approval,
    OncologyKnowledge,
    load_oncology_knowledge,
)
from medlm.records import CodeSystem, Coding

KNOWLEDGE = load_oncology_knowledge()
ROOTS = {"solid_tumour", "haematological_malignancy"}


@pytest.mark.parametrize("approval", KNOWLEDGE.approvals, ids=lambda a: a.id)
def test_every_entry_has_drugs_biomarker_tumour_and_a_dated_label_citation(
    approval: Approval,
) -> None:
    assert approval.regimen and all(drug.strip() for drug in approval.regimen)
    assert approval.biomarkers and set(approval.biomarkers) <= set(KNOWLEDGE.biomarkers)
    assert approval.tumour in load_concepts().conditions
    assert approval.context.strip()
    cite = approval.cite
    assert "FDA label" in cite.document and approval.label in cite.document
    assert cite.section.startswith("1 Indications and Usage (approved ")
    assert 1998 <= cite.year <= date(2026, 12, 31).year
    assert approval.url.startswith("https://")


@pytest.mark.parametrize("approval", KNOWLEDGE.approvals, ids=lambda a: a.id)
def test_an_unverified_entry_says_what_was_not_checked(approval: Approval) -> None:
    if approval.verification == "U":
        assert approval.date_note or "unverified" in approval.context


def test_every_tumour_named_is_a_tumour_type_concept() -> None:
    library = load_concepts()
    named = {a.tumour for a in KNOWLEDGE.approvals}
    named |= {t for a in KNOWLEDGE.approvals for t in a.except_tumours}
    for key in named:
        assert key in ROOTS or ROOTS & library.with_parents({key}), key


# The minimum: biomarker x tumour type pairs the table must hold.
REQUIRED = [
    ("egfr_exon19_deletion", "nsclc"),
    ("egfr_l858r", "nsclc"),
    ("egfr_t790m", "nsclc"),
    ("alk_fusion", "nsclc"),
    ("ros1_fusion", "nsclc"),
    ("braf_v600e", "melanoma"),
    ("braf_v600e", "nsclc"),
    ("braf_v600e", "colorectal_cancer"),
    ("kras_g12c", "nsclc"),
    ("kras_g12c", "colorectal_cancer"),
    ("her2_positive", "breast_cancer"),
    ("her2_positive", "gastric_cancer"),
    ("brca1_brca2", "ovarian_cancer"),
    ("brca1_brca2", "breast_cancer"),
    ("brca1_brca2", "prostate_cancer"),
    ("brca1_brca2", "pancreatic_cancer"),
    ("ntrk_fusion", "solid_tumour"),
    ("msi_high_or_dmmr", "solid_tumour"),
    ("pik3ca_mutation", "breast_cancer"),
    ("idh1_r132", "acute_myeloid_leukaemia"),
    ("idh2_mutation", "acute_myeloid_leukaemia"),
    ("flt3_mutation", "acute_myeloid_leukaemia"),
    ("bcr_abl1", "chronic_myeloid_leukaemia"),
]


@pytest.mark.parametrize(("biomarker", "tumour"), REQUIRED)
def test_the_table_covers_each_required_biomarker_in_its_tumour(
    biomarker: str, tumour: str
) -> None:
    assert any(biomarker in a.biomarkers and a.tumour == tumour for a in KNOWLEDGE.approvals)


def test_colorectal_braf_regimen_differs_and_the_agnostic_braf_label_excludes_colorectal() -> None:
    crc = [a for a in KNOWLEDGE.approvals if a.tumour == "colorectal_cancer"]
    braf_crc = [a for a in crc if "braf_v600e" in a.biomarkers]
    assert braf_crc and all("cetuximab" in a.regimen for a in braf_crc)
    (agnostic,) = [a for a in KNOWLEDGE.approvals if a.agnostic and "braf_v600e" in a.biomarkers]
    assert agnostic.except_tumours == ("colorectal_cancer",)


def test_germline_is_accepted_only_where_the_label_says_so() -> None:
    germline = {a.id for a in KNOWLEDGE.approvals if "germline" in a.sources}
    assert germline and all("brca1_brca2" in a.biomarkers for a in KNOWLEDGE.approvals
                            if a.id in germline)  # fmt: skip
    assert {a.id for a in KNOWLEDGE.approvals if a.sources == ("germline",)} == {
        "ovarian_gbrca_niraparib",
        "breast_gbrca_olaparib",
        "breast_gbrca_talazoparib",
        "pancreatic_gbrca_olaparib",
    }


def test_egfr_exon_19_range_is_cited_and_ordered() -> None:
    exon19 = KNOWLEDGE.exon_ranges["EGFR"][19]
    first, last = exon19.residues
    assert first < 746 < 750 < last  # holds the classical E746_A750 deletion
    assert exon19.cite["source"]


def test_an_approval_naming_an_unknown_biomarker_is_rejected() -> None:
    raw = KNOWLEDGE.model_dump()
    raw["approvals"][0]["biomarkers"] = ["egfr_l861q"]
    with pytest.raises(ValidationError, match="unknown biomarkers"):
        OncologyKnowledge.model_validate(raw)


@pytest.mark.parametrize(
    ("coding", "expected"),
    [
        (Coding(system=CodeSystem.SNOMED, code="254637007"), {"nsclc", "lung_cancer"}),
        (Coding(system=CodeSystem.ICD10CM, code="C34.90"), {"lung_cancer"}),
        (Coding(system=CodeSystem.ICD10CM, code="C18.7"), {"colorectal_cancer"}),
        (Coding(system=CodeSystem.ICD10CM, code="C92.00"), {"acute_myeloid_leukaemia"}),
        (Coding(system=CodeSystem.ICD10CM, code="C92.40"), set()),  # promyelocytic
        (Coding(system=CodeSystem.ICD10CM, code="C92.10"), {"chronic_myeloid_leukaemia"}),
        (Coding(system=CodeSystem.ICD10CM, code="D05.10"), set()),  # breast carcinoma in situ
    ],
)
def test_tumour_codes_map_to_tumour_types(coding: Coding, expected: set[str]) -> None:
    assert load_concepts().condition_concepts(coding) - ROOTS == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Non-small cell lung cancer (disorder)", {"nsclc", "lung_cancer"}),
        ("Small cell carcinoma of lung (disorder)", {"lung_cancer"}),
        ("Malignant melanoma in situ", set()),
        ("Secondary malignant neoplasm of colon", set()),
        ("Acute promyelocytic leukemia", set()),
        ("Oligodendroglioma, grade 2", {"glioma"}),
        ("Glioblastoma", set()),
        ("Family history of breast cancer", set()),
    ],
)
def test_tumour_display_text_maps_by_whole_phrases(text: str, expected: set[str]) -> None:
    assert load_concepts().conditions_from_text(text) - ROOTS == expected
