"""FHIR R4 in and out: Bundles, single resources, NDJSON and CDS Hooks requests to
PatientRecords with a rejection report, and records back to Bundles."""

from medlm.records.fhir.read import read_bundle, read_resource
from medlm.records.fhir.write import to_bundle
from medlm.records.report import HeldBack, IngestReport, Rejection, TypeCount

__all__ = [
    "HeldBack",
    "IngestReport",
    "Rejection",
    "TypeCount",
    "read_bundle",
    "read_resource",
    "to_bundle",
]
