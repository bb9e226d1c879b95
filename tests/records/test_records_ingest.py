"""ingest_file: FHIR bundles and mapped CSV told apart and read by the matching reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medlm.errors import InputError
from medlm.records import PatientRecord
from medlm.records.fhir import to_bundle
from medlm.records.ingest import FileKind, detect_kind, ingest_file


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.json", "{}", FileKind.FHIR),
        ("a.csv", "x,y\n", FileKind.CSV),
        ("a.txt", '\n  {"resourceType": "Bundle"}', FileKind.FHIR),
        ("a.dat", "pid,glucose\n", FileKind.CSV),
    ],
)
def test_file_kind_is_told_by_suffix_then_content(
    tmp_path: Path, name: str, content: str, kind: FileKind
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert detect_kind(path) is kind


def _values(record: PatientRecord) -> list[tuple[object, ...]]:
    return [(o.id, o.code.code, o.value, o.unit) for o in record.observations]


def test_fhir_file_is_read_as_a_bundle(tmp_path: Path, pima_records: list[PatientRecord]) -> None:
    path = tmp_path / "b.bundle"
    path.write_text(json.dumps(to_bundle(pima_records[:4])), encoding="utf-8")
    records = ingest_file(path).records
    assert [r.patient for r in records] == [r.patient for r in pima_records[:4]]
    assert [_values(r) for r in records] == [_values(r) for r in pima_records[:4]]


def test_ndjson_folder_is_read_as_one_document(
    tmp_path: Path, pima_records: list[PatientRecord]
) -> None:
    bundle = to_bundle(pima_records[:2])
    by_type: dict[str, list[str]] = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        by_type.setdefault(resource["resourceType"], []).append(json.dumps(resource))
    for kind, lines in by_type.items():
        (tmp_path / f"{kind}.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert detect_kind(tmp_path) is FileKind.NDJSON
    report = ingest_file(tmp_path)
    assert report.rejections == []
    assert [_values(r) for r in report.records] == [_values(r) for r in pima_records[:2]]


def test_csv_without_a_map_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("pid,glucose\na,90\n", encoding="utf-8")
    with pytest.raises(InputError, match="needs a column map"):
        ingest_file(path)


def test_csv_with_a_map_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("pid,glucose\na,90\n", encoding="utf-8")
    map_path = tmp_path / "map.yaml"
    map_path.write_text(
        "patient: {id: pid}\nobservations:\n"
        "  - {column: glucose, code: {system: 'http://loinc.org', code: 2345-7}, unit: mg/dL}\n",
        encoding="utf-8",
    )
    report = ingest_file(path, map_path)
    assert report.records[0].observations[0].value == 90.0


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        ingest_file(tmp_path / "missing.json")
