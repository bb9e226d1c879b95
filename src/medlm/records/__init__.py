"""Typed clinical records: the one shape every data source is normalized into."""

from medlm.records.allergy import AllergyCategory, AllergyIntolerance, Criticality
from medlm.records.coding import CodeSystem, Coding
from medlm.records.condition import ClinicalStatus, Condition
from medlm.records.genomics import PharmacogenomicResult
from medlm.records.medication import (
    Dose,
    MedicationRequest,
    MedicationStatement,
    MedicationStatus,
)
from medlm.records.note import ClinicalNote
from medlm.records.observation import Observation, ObservationStatus
from medlm.records.patient import Patient, Sex
from medlm.records.patient_record import PatientRecord
from medlm.records.span import Span

__all__ = [
    "AllergyCategory",
    "AllergyIntolerance",
    "ClinicalNote",
    "ClinicalStatus",
    "CodeSystem",
    "Coding",
    "Condition",
    "Criticality",
    "Dose",
    "MedicationRequest",
    "MedicationStatement",
    "MedicationStatus",
    "Observation",
    "ObservationStatus",
    "Patient",
    "PatientRecord",
    "PharmacogenomicResult",
    "Sex",
    "Span",
]
