"""Group converted FHIR resources under their patients; hold back those of rejected patients."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medlm.records.fhir.parse import Converted
from medlm.records.fhir.references import Index
from medlm.records.patient import Patient
from medlm.records.patient_record import PatientRecord
from medlm.records.report import HeldBack, IngestReport, Rejection


@dataclass
class Read:
    """One resource converted to records, with where it stood in the input."""

    position: int | None
    resource_id: str | None
    kind: str
    converted: Converted
    where: str | None = None  # the file or prefetch key it came from, when not one Bundle


def _subject_field(kind: str) -> str:
    return f"{kind}.patient" if kind == "AllergyIntolerance" else f"{kind}.subject"


def _prefixed(where: str | None, reason: str) -> str:
    return f"{where}: {reason}" if where else reason


class _Patients:
    """The records being assembled, and the patients rejected so far (by FHIR id)."""

    def __init__(self, report: IngestReport, minimal: bool) -> None:
        self.report = report
        self.minimal = minimal
        self.records: dict[str, PatientRecord] = {}
        self.rejected = {
            r.resource_id: r
            for r in report.rejections
            if r.resource_type == "Patient" and r.resource_id is not None
        }

    def add(self, read: Read) -> None:
        """Start the record of one accepted Patient, or reject it as a duplicate id."""
        fhir_id = read.converted.patient_fhir_id or ""
        if fhir_id in self.records or fhir_id in self.rejected:
            self.report.count("Patient").rejected += 1
            reason = f"duplicate Patient id {fhir_id!r} in the document"
            self.report.rejections.append(
                Rejection(
                    position=read.position,
                    resource_id=fhir_id,
                    resource_type="Patient",
                    field="Patient.id",
                    value=fhir_id,
                    reason=_prefixed(read.where, reason),
                )
            )
            return
        patient = read.converted.items[0]
        assert isinstance(patient, Patient)
        self.records[fhir_id] = PatientRecord(patient=patient)
        self.report.count("Patient").accepted += 1

    def ensure(self, patient_id: str) -> bool:
        """With minimal patients allowed: make an id-only Patient for a reference to a patient
        the document does not hold (a single resource, a CDS request). True when one exists."""
        if patient_id in self.records:
            return True
        if not self.minimal or patient_id.startswith("urn:") or patient_id in self.rejected:
            return False
        try:
            patient = Patient(id=patient_id)
        except ValueError:
            return False
        self.records[patient_id] = PatientRecord(patient=patient)
        self.report.notes.append(
            f"patient {patient_id!r} is not in the document: a minimal Patient record "
            "(id only; no birth date, sex unknown) was made for it"
        )
        return True


def _attach(read: Read, ref: str, patients: _Patients) -> None:
    report = patients.report
    if patients.ensure(ref):
        record = patients.records[ref]
        items = [
            i.model_copy(update={"patient_id": record.patient.id}) for i in read.converted.items
        ]
        getattr(record, read.converted.kind).extend(items)
        report.count(read.kind).accepted += 1
    elif ref in patients.rejected:
        held = HeldBack(
            position=read.position or 0,
            resource_id=read.resource_id,
            resource_type=read.kind,
        )
        patients.rejected[ref].held_back.append(held)
        report.count(read.kind).held_back += 1
    else:
        report.count(read.kind).rejected += 1
        reason = f"refers to patient {ref!r}, which is not in the document"
        report.rejections.append(
            Rejection(
                position=read.position,
                resource_id=read.resource_id,
                resource_type=read.kind,
                field=_subject_field(read.kind),
                value=read.converted.patient_ref,
                reason=_prefixed(read.where, reason),
            )
        )


def assemble(
    reads: Sequence[Read],
    index: Index,
    report: IngestReport,
    *,
    minimal_patients: bool = False,
    expected_patients: Sequence[str] = (),
) -> None:
    """Put the accepted resources into `report.records`, one record per patient.

    `minimal_patients` lets a reference to a patient the document does not hold make an id-only
    Patient (noted in the report); `expected_patients` are ids that get one even without a
    resource about them (the CDS Hooks `context.patientId`).
    """
    patients = _Patients(report, minimal_patients)
    for read in (r for r in reads if r.converted.kind == "patient"):
        patients.add(read)
    for patient_id in expected_patients:
        patients.ensure(patient_id)
    for read in (r for r in reads if r.converted.kind != "patient"):
        ref = index.patient_id(read.converted.patient_ref or "")
        _attach(read, ref, patients)
    report.records = list(patients.records.values())
