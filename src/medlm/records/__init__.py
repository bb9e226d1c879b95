"""Typed clinical records: the one shape every data source is normalized into."""

from medlm.records.allergy import AllergyCategory, AllergyIntolerance, Criticality
from medlm.records.coding import CodeSystem, Coding
from medlm.records.condition import ClinicalStatus, Condition
from medlm.records.genomics import GenomicSource, GenomicVariant, PharmacogenomicResult
from medlm.records.medication import (
    Dose,
    MedicationRequest,
    MedicationStatement,
    MedicationStatus,
)
from medlm.records.note import ClinicalNote
from medlm.records.observation import Comparator, Observation, ObservationStatus
from medlm.records.patient import Patient, Sex
from medlm.records.patient_record import PatientRecord
from medlm.records.report import HeldBack, IngestReport, Rejection, TypeCount
from medlm.records.span import Span

__all__ = [
    "AllergyCategory",
    "AllergyIntolerance",
    "ClinicalNote",
    "ClinicalStatus",
    "CodeSystem",
    "Coding",
    "Comparator",
    "Condition",
    "Criticality",
    "Dose",
    "GenomicSource",
    "GenomicVariant",
    "HeldBack",
    "IngestReport",
    "MedicationRequest",
    "MedicationStatement",
    "MedicationStatus",
    "Observation",
    "ObservationStatus",
    "Patient",
    "PatientRecord",
    "PharmacogenomicResult",
    "Rejection",
    "Sex",
    "Span",
    "TypeCount",
]
