"""The FHIR URIs and codes medlm's FHIR reader and writer use, each with its source."""

from __future__ import annotations

# Resource types medlm reads from a Bundle (FHIR R4, https://hl7.org/fhir/R4/resourcelist.html).
SUPPORTED_TYPES = (
    "Patient",
    "Observation",
    "Condition",
    "MedicationStatement",
    "MedicationRequest",
    "AllergyIntolerance",
    "DocumentReference",
)

# Blood pressure panel and its two components: FHIR R4 Vital Signs profile,
# https://hl7.org/fhir/R4/observation-vitalsigns.html (table "Blood Pressure").
BP_PANEL = "85354-9"  # Blood pressure panel with all children optional
BP_SYSTOLIC = "8480-6"  # Systolic blood pressure
BP_DIASTOLIC = "8462-4"  # Diastolic blood pressure

# Pharmacogenomic results: HL7 Genomics Reporting IG STU2 (2022), profile "Genotype"
# (http://hl7.org/fhir/uv/genomics-reporting/STU2/StructureDefinition-genotype.html):
# code 84413-4 "Genotype display name", component 48018-6 "Gene studied [ID]".
# The phenotype is carried as a component coded 53040-2 "Genetic variation's effect on drug
# metabolism", the code that IG's therapeutic-implication profile uses for metabolizer status;
# medlm puts it on the genotype Observation instead of a separate implication resource.
PGX_GENOTYPE = "84413-4"
PGX_GENE_STUDIED = "48018-6"
PGX_PHENOTYPE = "53040-2"

# FHIR R4 terminology systems (https://terminology.hl7.org/).
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"

# medlm's own extension and identifier system (no standard element exists for these).
AGE_EXTENSION = "urn:medlm:fhir:patient-age"  # Patient age in years when no birth date is known
ID_SYSTEM = "urn:medlm:id"  # the record's own id when it is not a valid FHIR id
NOTE_VALUE_TEXT = "medlm value_text: "  # prefix of an Observation.note holding value_text
# Meta tag of a blood-pressure panel the writer made from two readings that had no group, so
# the reader does not give its components the panel's generated id as their group.
UNGROUPED_TAG = {"system": "urn:medlm", "code": "ungrouped-pair"}

# A FHIR R4 resource id (https://hl7.org/fhir/R4/datatypes.html#id).
FHIR_ID_PATTERN = r"[A-Za-z0-9\-.]{1,64}"
