"""Tumour variant names normalise to one comparable alteration, whatever the notation."""

from __future__ import annotations

import pytest

from medlm.knowledge.treatment.oncology import load_oncology_knowledge
from medlm.records.genomics import GenomicSource, GenomicVariant
from medlm.treatment.oncology import recognised
from medlm.treatment.variants import AlterationKind, alteration_of, one_letter


def variant(gene: str, protein: str | None = None, dna: str | None = None) -> GenomicVariant:
    return GenomicVariant(
        patient_id="p1", gene=gene, protein_change=protein, dna_change=dna,
        source=GenomicSource.SOMATIC,
    )  # fmt: skip


def markers(gene: str, protein: str | None = None, dna: str | None = None) -> list[str]:
    found = recognised(alteration_of(variant(gene, protein, dna)), load_oncology_knowledge())
    return [b.key for b in found]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("p.Leu858Arg", "L858R"),
        ("p.L858R", "L858R"),
        ("L858R", "L858R"),
        ("NP_005219.2:p.(Leu858Arg)", "L858R"),
        ("p.Glu746_Ala750del", "E746_A750del"),
        ("p.Arg132His", "R132H"),
        ("p.Gln61Ter", "Q61*"),
    ],
)
def test_three_letter_and_one_letter_protein_changes_read_the_same(
    written: str, expected: str
) -> None:
    assert one_letter(written) == expected


@pytest.mark.parametrize("protein", ["p.Leu858Arg", "p.L858R", "L858R", "NP_005219.2:p.Leu858Arg"])
def test_egfr_l858r_is_recognised_in_every_notation(protein: str) -> None:
    assert markers("EGFR", protein) == ["egfr_l858r"]


@pytest.mark.parametrize(
    "protein",
    [
        "p.E746_A750del",
        "p.Glu746_Ala750del",
        "p.L747_P753delinsS",
        "p.(Thr751_Glu758del)",
        "exon 19 deletion",
        "Exon19del",
    ],
)
def test_egfr_exon_19_deletions_are_recognised_by_residue_range_or_by_name(protein: str) -> None:
    assert markers("EGFR", protein) == ["egfr_exon19_deletion"]


@pytest.mark.parametrize(
    "protein",
    ["p.A767_V769dup", "p.D770_N771insSVD", "p.E709_T710delinsD", "p.Leu858fs", "p.G719S"],
)
def test_egfr_changes_outside_exon_19_deletions_and_l858r_are_not_those_biomarkers(
    protein: str,
) -> None:
    assert not {"egfr_exon19_deletion", "egfr_l858r"} & set(markers("EGFR", protein))


def test_met_exon_14_skipping_is_recognised_from_the_wording_but_not_from_the_gene() -> None:
    assert markers("MET", "exon 14 skipping") == ["met_exon14_skipping"]
    assert markers("MET", None, "c.3028+1G>T (exon 14 skipping)") == ["met_exon14_skipping"]
    assert markers("MET", "amplification") == []
    assert markers("MET", "exon 15 skipping") == []


def test_braf_v600e_and_v600k_stay_distinct() -> None:
    assert markers("BRAF", "p.Val600Glu") == ["braf_v600e"]
    assert markers("BRAF", "p.Val600Lys") == ["braf_v600k"]
    assert markers("BRAF", "p.Gly469Ala") == []


@pytest.mark.parametrize(
    ("gene", "protein", "partner", "key"),
    [
        ("ALK", "EML4::ALK fusion", "EML4", "alk_fusion"),
        ("EML4-ALK", None, "EML4", "alk_fusion"),
        ("ROS1", "CD74-ROS1 fusion", "CD74", "ros1_fusion"),
        ("NTRK1", "TPM3::NTRK1", "TPM3", "ntrk_fusion"),
        ("NTRK3", "fusion", None, "ntrk_fusion"),
        ("RET", "KIF5B::RET", "KIF5B", "ret_fusion"),
    ],
)
def test_fusions_are_read_by_gene_pair_with_the_kinase_as_the_gene(
    gene: str, protein: str | None, partner: str | None, key: str
) -> None:
    alteration = alteration_of(variant(gene, protein))
    assert (alteration.kind, alteration.partner) == (AlterationKind.FUSION, partner)
    assert markers(gene, protein) == [key]


def test_bcr_abl1_is_one_fusion_biomarker_however_it_is_written() -> None:
    assert markers("BCR-ABL") == ["bcr_abl1"]
    assert markers("ABL1", "BCR::ABL1 fusion") == ["bcr_abl1"]


def test_her2_amplification_is_read_from_the_alias_and_the_wording() -> None:
    assert markers("HER2", "Amplified") == ["her2_positive"]
    assert markers("ERBB2", "copy number gain") == ["her2_positive"]
    assert markers("ERBB2", "p.Ser310Phe") == []  # a point mutation is not amplification


def test_msi_h_and_dmmr_are_both_msi_status_but_only_dmmr_is_dmmr() -> None:
    assert markers("MSI", "MSI-H") == ["msi_high_or_dmmr"]
    assert sorted(markers("MLH1", "dMMR")) == ["dmmr", "msi_high_or_dmmr"]


def test_flt3_itd_and_tkd_mutations_are_recognised_separately() -> None:
    assert sorted(markers("FLT3", "ITD")) == ["flt3_itd", "flt3_mutation"]
    assert markers("FLT3", "p.Asp835Tyr") == ["flt3_mutation"]


def test_a_variant_is_never_matched_by_gene_alone() -> None:
    assert markers("KRAS", "p.Gly12Asp") == []
    assert markers("KRAS", "p.Gly12Cys") == ["kras_g12c"]
    assert markers("EGFR") == []  # no protein change recorded
    assert markers("IDH1", "p.Arg100Gln") == []
