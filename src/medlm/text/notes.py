"""The notes of patient records analysed: the text application reads records, like the others."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from medlm.records import ClinicalNote, PatientRecord
from medlm.records.timing import aware
from medlm.text.analyzer import MedicalTextAnalyzer
from medlm.text.results import TextAnalysis


def latest_notes(record: PatientRecord, latest: int | None = None) -> list[ClinicalNote]:
    """The record's notes, newest first (undated last); at most `latest` of them when given."""

    def when(note: ClinicalNote) -> tuple[bool, datetime | None]:
        return (note.date is not None, aware(note.date) if note.date is not None else None)

    dated = sorted((n for n in record.notes if n.date is not None), key=when, reverse=True)
    notes = dated + [n for n in record.notes if n.date is None]
    return notes if latest is None else notes[:latest]


def analyze_notes(
    records: Sequence[PatientRecord],
    analyzer: MedicalTextAnalyzer,
    latest: int | None = None,
) -> list[TextAnalysis]:
    """One analysis per note (newest first per patient), each carrying its note and patient id."""
    out: list[TextAnalysis] = []
    for record in records:
        for note in latest_notes(record, latest):
            analysis = analyzer.analyze(note)
            if analysis.patient_id is None:
                analysis = analysis.model_copy(update={"patient_id": record.patient.id})
            out.append(analysis)
    return out
