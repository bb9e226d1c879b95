"""Tumour variant names normalised: one `Alteration` per GenomicVariant, whatever the notation.

A laboratory writes the same change many ways: `p.Leu858Arg`, `p.L858R`, `L858R`,
`NP_005219.2:p.(Leu858Arg)`; an exon 19 deletion as `p.E746_A750del`, `p.Glu746_Ala750del`,
`p.L747_P753delinsS` or just "exon 19 deletion"; a fusion as `EML4::ALK` (HGVS), `EML4-ALK` or
"ALK fusion"; HER2 as `ERBB2 amplification`. `alteration_of` reads the gene, protein change and
DNA change of a `GenomicVariant` into one typed `Alteration`:

- substitution: one residue changed (`L858R`, `V600E`, `G12C`; `V600E` and `V600K` stay distinct);
- deletion: an in-frame deletion or deletion-insertion over a residue range (`E746_A750`);
- exon_deletion: a deletion stated by exon ("exon 19 deletion", "ex19del");
- exon_skipping: a splice change stated as exon skipping ("MET exon 14 skipping", "ex14 skip");
- fusion: a gene pair (partner kept when named) or "fusion"/"rearrangement" text;
- amplification: "amplification", "amplified", "copy number gain", "overexpression";
- itd: an internal tandem duplication (FLT3-ITD);
- msi_high: microsatellite instability-high (change 'MSI-H') or mismatch-repair deficient
  (change 'dMMR'; labels differ), written as the gene (`MSI`, `MSI-H`, `dMMR`) or the change;
- other: anything else (frameshift, splice, no protein change recorded): never matched to a
  therapy, so a variant is never mapped by gene alone.

Which residues make "exon 19" is knowledge (knowledge/treatment/oncology.yaml), not code.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from medlm.records.genomics import GenomicSource, GenomicVariant

# IUPAC-IUBMB three-letter amino-acid codes (HGVS protein nomenclature); Ter = stop (*).
THREE_TO_ONE = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Sec": "U",
    "Pyl": "O", "Ter": "*",
}  # fmt: skip
# Common aliases laboratories write in the gene field.
GENE_ALIASES = {"HER2": "ERBB2", "HER-2": "ERBB2", "NEU": "ERBB2", "BCR-ABL": "BCR::ABL1"}
_DMMR_WORDS = ("dmmr", "mismatch repair deficient", "mmr deficient", "mismatch repair-deficient")
_MSI_WORDS = ("msi-h", "msi h", "msi-high", "microsatellite instability-high",
              "microsatellite instability high", *_DMMR_WORDS)  # fmt: skip
_MSI_GENES = {"MSI", "MSI-H", "MSIH", "DMMR", "MMR"}
_AMPLIFIED = ("amplification", "amplified", "copy number gain", "overexpression", "amp")
_THREE = re.compile("(" + "|".join(THREE_TO_ONE) + ")")
_SUBSTITUTION = re.compile(r"^([A-Z*])(\d+)([A-Z*])$")
_DELETION = re.compile(r"^([A-Z])(\d+)(?:_([A-Z])(\d+))?(del|delins[A-Z*]*)$")
_EXON_DEL = re.compile(r"\b(?:exon|ex)\s*(\d+)\s*(?:in-frame\s*)?(?:deletion|del)\b")
_EXON_SKIP = re.compile(r"\b(?:exon|ex)\s*(\d+)\s*(?:skipping|skip)\b")
_PAIR = re.compile(r"^([A-Z0-9]+)\s*(?:::|-|/)\s*([A-Z0-9]+)$")


class AlterationKind(StrEnum):
    SUBSTITUTION = "substitution"
    DELETION = "deletion"
    EXON_DELETION = "exon_deletion"
    EXON_SKIPPING = "exon_skipping"
    FUSION = "fusion"
    AMPLIFICATION = "amplification"
    ITD = "itd"
    MSI_HIGH = "msi_high"
    OTHER = "other"


class Alteration(BaseModel):
    """One tumour alteration in a normalised, comparable form."""

    model_config = ConfigDict(frozen=True)

    gene: str
    kind: AlterationKind
    change: str | None = None
    start: int | None = None
    end: int | None = None
    exon: int | None = None
    partner: str | None = None
    source: GenomicSource = GenomicSource.UNKNOWN
    label: str

    @property
    def residues(self) -> tuple[int, int] | None:
        """First and last residue touched (a substitution touches one)."""
        if self.start is None:
            return None
        return self.start, self.end if self.end is not None else self.start


def one_letter(protein: str) -> str:
    """'p.Leu858Arg' -> 'L858R'; 'NP_005219.2:p.(Glu746_Ala750del)' -> 'E746_A750del'."""
    text = protein.strip()
    if ":" in text and not text.startswith(("p.", "P.")):
        text = text.split(":", 1)[1]
    text = re.sub(r"^[pP]\.", "", text.strip()).strip("()").strip()
    text = _THREE.sub(lambda m: THREE_TO_ONE[m.group(1)], text)
    return text.replace("Ter", "*")


def alteration_of(variant: GenomicVariant) -> Alteration:
    """The normalised alteration a GenomicVariant reports (see the module docstring)."""
    gene = GENE_ALIASES.get(variant.gene.strip().upper(), variant.gene.strip().upper())
    text = " ".join(t for t in (variant.protein_change, variant.dna_change) if t)
    said = text.lower()
    base = {"source": variant.source}
    if gene in _MSI_GENES or any(w in said for w in _MSI_WORDS):
        dmmr = gene in {"DMMR", "MMR"} or any(w in said for w in _DMMR_WORDS)
        status = "dMMR" if dmmr else "MSI-H"
        return Alteration(
            gene="MSI", kind=AlterationKind.MSI_HIGH, change=status, label=status, **base
        )
    pair = _PAIR.match(gene)
    if pair or "fusion" in said or "rearrange" in said or "::" in text:
        return _fusion(gene, pair, text, base)
    if "itd" in said.split() or "internal tandem duplication" in said or "-itd" in said:
        return Alteration(gene=gene, kind=AlterationKind.ITD, label=f"{gene}-ITD", **base)
    if any(re.search(rf"\b{w}\b", said) for w in _AMPLIFIED):
        return Alteration(
            gene=gene, kind=AlterationKind.AMPLIFICATION, label=f"{gene} amplification", **base
        )
    exon = _EXON_DEL.search(said)
    if exon:
        n = int(exon.group(1))
        return Alteration(
            gene=gene, kind=AlterationKind.EXON_DELETION, exon=n,
            label=f"{gene} exon {n} deletion", **base,
        )  # fmt: skip
    skipped = _EXON_SKIP.search(said)
    if skipped:
        n = int(skipped.group(1))
        return Alteration(
            gene=gene, kind=AlterationKind.EXON_SKIPPING, exon=n,
            label=f"{gene} exon {n} skipping", **base,
        )  # fmt: skip
    if variant.protein_change:
        return _protein(gene, one_letter(variant.protein_change), base)
    return Alteration(gene=gene, kind=AlterationKind.OTHER, label=f"{gene} {text}".strip(), **base)


def _protein(gene: str, change: str, base: dict[str, GenomicSource]) -> Alteration:
    sub = _SUBSTITUTION.match(change)
    if sub:
        return Alteration(
            gene=gene, kind=AlterationKind.SUBSTITUTION, change=change,
            start=int(sub.group(2)), label=f"{gene} {change}", **base,
        )  # fmt: skip
    dele = _DELETION.match(change)
    if dele:
        start = int(dele.group(2))
        end = int(dele.group(4)) if dele.group(4) else start
        return Alteration(
            gene=gene, kind=AlterationKind.DELETION, change=change, start=start, end=end,
            label=f"{gene} {change}", **base,
        )  # fmt: skip
    return Alteration(gene=gene, kind=AlterationKind.OTHER, change=change,
                      label=f"{gene} {change}", **base)  # fmt: skip


def _fusion(
    gene: str, pair: re.Match[str] | None, text: str, base: dict[str, GenomicSource]
) -> Alteration:
    """A fusion named by pair in the gene field or the change ('EML4::ALK'), or by word."""
    found = pair or _PAIR.match(text.upper().replace("FUSION", "").strip())
    if found is None:
        words = re.search(r"([A-Z0-9]+)\s*(?:::|-)\s*([A-Z0-9]+)", text.upper())
        found = words
    if found is not None:
        five, three = found.group(1), found.group(2)
        # the gene studied is the one a fusion is reported under (ALK in EML4::ALK)
        target = gene if gene in (five, three) else three
        partner = five if target == three else three
        if five == "BCR" and three == "ABL1":
            target, partner = "BCR::ABL1", None
        label = f"{five}::{three} fusion"
        return Alteration(
            gene=target, kind=AlterationKind.FUSION, partner=partner, label=label, **base
        )
    return Alteration(gene=gene, kind=AlterationKind.FUSION, label=f"{gene} fusion", **base)
