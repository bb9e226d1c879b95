"""The codes of the HL7 Genomics Reporting IG layouts medlm reads and writes, each with its source.

IG versions: STU2 = 2.0.0 (2022, http://hl7.org/fhir/uv/genomics-reporting/STU2/), STU3 = 3.0.0
(2024, http://hl7.org/fhir/uv/genomics-reporting/). Checked against the IG's FSH sources
(HL7/genomics-reporting `input/fsh/CGFindings.fsh`, `CGImplications.fsh`) and its published
examples (Observation-TxImp01, DiagnosticReport-report-CYP2C19).
"""

from __future__ import annotations

LOINC = "http://loinc.org"

# Profile "Genotype" (STU2, STU3): code 84413-4 "Genotype display name"; value = the genotype,
# e.g. "CYP2C19*2/*2" (example Pgx-geno-1001).
GENOTYPE = "84413-4"
# Profile "Genomic Finding" component[gene-studied] (STU2, STU3): 48018-6 "Gene studied [ID]",
# value an HGNC coding (display = symbol) or text.
GENE_STUDIED = "48018-6"
# "Genetic variation's effect on drug metabolism": component[effect-medication-metabolism] of
# "Therapeutic Implication" in STU2 ballot 1.1.0 (examples TxImp01/03), value from LOINC LL3856-3;
# also the code of a flat metabolizer-status Observation, and medlm's own genotype component.
METABOLIZER_STATUS = "53040-2"
# Profile "Variant" (STU2, STU3): code 69548-6 "Genetic variant assessment"; components
# component[coding-hgvs] 48004-6, component[protein-hgvs] 48005-3,
# component[genomic-source-class] 48002-0 (answers LOINC LL378-1), component[variation-code]
# 81252-9 (e.g. a ClinVar id).
VARIANT = "69548-6"
DNA_CHANGE = "48004-6"
AMINO_ACID_CHANGE = "48005-3"
GENOMIC_SOURCE_CLASS = "48002-0"
VARIATION_CODE = "81252-9"
# LOINC LL1971-2 answer for a Variant's value (STU3 example VariantExample): "Present".
PRESENT = "LA9633-4"

# Profile "Therapeutic Implication": code `therapeutic-implication` in the IG's "to be determined"
# code system: `tbd-codes-cs` in STU2 2.0.0 and STU3 (TxImp01 JSON), `tbd-codes` / `TbdCodes`
# in the STU1-era and 1.1.0 ballot examples. STU3 carries the phenotype in
# component[predicted-therapeutic-implication] (same code system) instead of 53040-2.
TBD_SYSTEMS = frozenset(
    {
        "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs",
        "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes",
        "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/TbdCodes",
    }
)
THERAPEUTIC_IMPLICATION = "therapeutic-implication"
PREDICTED_IMPLICATION = "predicted-therapeutic-implication"

# LOINC answers for metabolizer status (LL3856-3), as listed in the IG's value set
# GeneticTherapeuticImplicationsVS (CGValueSets.fsh): code -> display, used when a lab sends the
# code without a display.
METABOLIZER_ANSWERS = {
    "LA10315-2": "Ultrarapid metabolizer",
    "LA25391-6": "Normal metabolizer",
    "LA25390-8": "Rapid metabolizer",
    "LA10317-8": "Intermediate metabolizer",
    "LA9657-3": "Poor metabolizer",
}

# LOINC LL378-1 "Genomic source class" answers (IG Variant component[genomic-source-class]
# examples: LA6684-0 "Somatic"; LA6683-2 "Germline").
SOURCE_CLASS = {"LA6683-2": "germline", "LA6684-0": "somatic"}

# HGNC ids of the pharmacogenes medlm has rules for, for a gene-studied coding sent without a
# display. CYP2C19 HGNC:2621 and CYP2C9 HGNC:2623 are in the IG's examples
# (DiagnosticReport-report-CYP2C19, CGExamples); SLCO1B1 HGNC:10959 from several public
# pharmacogenomics sources [secondary]; VKORC1 HGNC:23663 [secondary].
HGNC_SYMBOLS = {
    "HGNC:2621": "CYP2C19",
    "HGNC:2623": "CYP2C9",
    "HGNC:10959": "SLCO1B1",
    "HGNC:23663": "VKORC1",
}

# medlm's own notes on a written genotype Observation (no IG element holds these).
NOTE_PHENOTYPE_SOURCE = "medlm phenotype_source: "
NOTE_RESULT = "medlm note: "
