"""The notes of patient records (DocumentReference text) analysed by the text application."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from medlm.cli.app import app
from medlm.records import ClinicalNote, Patient, PatientRecord
from medlm.records.read import read_document
from medlm.text import MedicalTextAnalyzer
from medlm.text.notes import analyze_notes, latest_notes


def _note(nid: str, text: str, when: str) -> dict[str, Any]:
    data = base64.b64encode(text.encode()).decode()
    return {
        "resource": {
            "resourceType": "DocumentReference", "id": nid, "status": "current",
            "subject": {"reference": "Patient/p1"}, "date": when,
            "content": [{"attachment": {"contentType": "text/plain", "data": data}}],
        }
    }  # fmt: skip


BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1", "birthDate": "1950-01-01"}},
        _note("n1", "Patient denies chest pain.", "2025-01-02T09:00:00Z"),
        _note("n2", "Metformin 500 mg twice daily for type 2 diabetes.", "2025-06-01T09:00:00Z"),
        {"resource": {"resourceType": "Claim", "id": "c1"}},
    ],
}


def test_notes_come_newest_first_and_latest_keeps_only_the_newest() -> None:
    record = PatientRecord(
        patient=Patient(id="p"),
        notes=[
            ClinicalNote(id="old", text="a", date=datetime(2020, 1, 1)),
            ClinicalNote(id="undated", text="b"),
            ClinicalNote(id="new", text="c", date=datetime(2024, 1, 1)),
        ],
    )
    assert [n.id for n in latest_notes(record)] == ["new", "old", "undated"]
    assert [n.id for n in latest_notes(record, 1)] == ["new"]


def test_a_bundle_s_notes_are_analysed_with_their_patient_and_negation() -> None:
    records = read_document(BUNDLE).records
    analyses = analyze_notes(records, MedicalTextAnalyzer())
    assert [a.id for a in analyses] == ["n2", "n1"]
    assert {a.patient_id for a in analyses} == {"p1"}
    chest = [e for e in analyses[1].entities if e.text == "chest pain"]
    assert chest and chest[0].assertion.negated


def test_cli_text_notes_reads_a_bundle_and_writes_one_json_line_per_note(tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(BUNDLE), encoding="utf-8")
    result = CliRunner().invoke(app, ["text", "notes", str(path), "--json", "--latest", "1"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(line["patient_id"], line["id"]) for line in lines] == [("p1", "n2")]
    assert any(e["text"].lower() == "metformin" for e in lines[0]["entities"])
