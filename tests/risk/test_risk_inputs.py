"""Patients for prediction: PatientRecord JSON and FHIR Bundles, with clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medlm.datasets import load
from medlm.errors import InputError, ValidationError
from medlm.records.fhir import to_bundle
from medlm.risk.inputs import read_patients


def test_a_fhir_bundle_of_real_pima_patients_reads_back(tmp_path: Path) -> None:
    records = load("pima").to_records(limit=3)
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(to_bundle(records)))
    patients, rejected = read_patients(path)
    assert [p.patient.id for p in patients] == ["pima-0001", "pima-0002", "pima-0003"]
    assert rejected == []


def test_a_record_list_with_a_bad_patient_names_it(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps([{"patient": {"id": "a"}}, {"patient": {"id": "b", "age": -3}}]))
    with pytest.raises(ValidationError, match=r"patient 2: patient.age"):
        read_patients(path)


def test_not_json_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{nope")
    with pytest.raises(InputError, match="not valid JSON"):
        read_patients(path)
