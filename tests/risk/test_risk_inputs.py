"""Patients for prediction come through the records boundary; nothing readable is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medlm.datasets import load
from medlm.errors import InputError
from medlm.records.fhir import to_bundle
from medlm.risk.inputs import patients_from_document, read_patients


def test_a_fhir_bundle_of_real_pima_patients_reads_back(tmp_path: Path) -> None:
    records = load("pima").to_records(limit=3)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(to_bundle(records)))
    report = read_patients(path)
    assert [r.patient.id for r in report.records] == ["pima-0001", "pima-0002", "pima-0003"]
    assert report.rejections == []


def test_a_bad_patient_in_a_list_is_a_rejection_and_the_others_are_read() -> None:
    report = patients_from_document(
        [{"patient": {"id": "a"}}, {"patient": {"id": "b", "age": -3}}], source="records.json"
    )
    assert [r.patient.id for r in report.records] == ["a"]
    assert len(report.rejections) == 1 and report.rejections[0].field == "patient.age"


def test_nothing_readable_is_refused_naming_what_was_wrong() -> None:
    with pytest.raises(InputError, match=r"records.json: no readable patient: .*patient.age"):
        patients_from_document([{"patient": {"id": "b", "age": -3}}], source="records.json")


def test_not_json_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{nope")
    with pytest.raises(InputError, match="not valid JSON"):
        read_patients(path)
