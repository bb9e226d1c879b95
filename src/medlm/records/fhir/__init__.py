"""FHIR R4 in and out: Bundles to PatientRecords with a rejection report, and back."""

from medlm.records.fhir.read import read_bundle
from medlm.records.fhir.write import to_bundle
from medlm.records.report import HeldBack, IngestReport, Rejection, TypeCount

__all__ = ["HeldBack", "IngestReport", "Rejection", "TypeCount", "read_bundle", "to_bundle"]
