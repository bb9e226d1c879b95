"""FHIR NDJSON: a line the records boundary cannot take (too deep, not valid Unicode) is a
rejection at its line; the other lines are still read and the report can be written out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medlm.records.fhir.ndjson import read_ndjson
from medlm.records.read import read_path

PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1961-04-02"}


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "Patient.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("line", ["[" * 100_000, "[" * 5_000 + "]" * 5_000, "[" * 65 + "]" * 65])
def test_a_deeply_nested_line_is_a_rejection_at_its_line_and_the_rest_is_read(
    tmp_path: Path, line: str
) -> None:
    report = read_ndjson(_write(tmp_path, json.dumps(PATIENT), line))
    (rejection,) = report.rejections
    assert rejection.position == 2
    assert rejection.reason.startswith("Patient.ndjson:")
    assert "nested" in rejection.reason
    assert [r.patient.id for r in report.records] == ["p1"]


def test_a_line_nested_within_the_bound_is_read(tmp_path: Path) -> None:
    extension: dict[str, object] = {"url": "urn:x", "valueString": "inner"}
    for _ in range(29):  # 2 levels each (object and array): about 60 levels in all
        extension = {"url": "urn:x", "extension": [extension]}
    line = json.dumps({**PATIENT, "id": "p2", "extension": [extension]})
    report = read_ndjson(_write(tmp_path, json.dumps(PATIENT), line))
    assert report.rejections == []
    assert [r.patient.id for r in report.records] == ["p1", "p2"]


def test_a_line_nested_too_deeply_for_the_parser_is_a_rejection_through_read_path(
    tmp_path: Path,
) -> None:
    report = read_path(_write(tmp_path, "[" * 100_000, json.dumps(PATIENT)))
    assert [r.position for r in report.rejections] == [1]
    assert [r.patient.id for r in report.records] == ["p1"]


@pytest.mark.parametrize(
    ("line", "resource_id", "field"),
    [
        ('{"resourceType":"Patient","id":"p\\ud800"}', "p\\ud800", "id"),
        ('{"resourceType":"Patient","id":"p3","gender":"fe\\udc00male"}', "p3", "gender"),
        ('{"resourceType":"Patient","id":"p4","\\ud83d":1}', "p4", "'\\ud83d'"),
    ],
)
def test_a_lone_surrogate_in_a_line_is_an_escaped_rejection_that_can_be_written_out(
    tmp_path: Path, line: str, resource_id: str, field: str
) -> None:
    report = read_path(_write(tmp_path, json.dumps(PATIENT), line))
    (rejection,) = report.rejections
    assert rejection.position == 2
    assert rejection.resource_type == "Patient"
    assert rejection.resource_id == resource_id
    assert rejection.field == field
    assert "lone surrogate" in rejection.reason
    assert [r.patient.id for r in report.records] == ["p1"]
    written = report.model_dump_json()  # raised UnicodeEncodeError when a surrogate got through
    written.encode("utf-8")
    assert report.counts["Patient"].rejected == 1
