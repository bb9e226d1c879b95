"""CSV with a column map: real Pima rows become records; bad cells are row-numbered rejections."""

from __future__ import annotations

import json
from pathlib import Path

import pydantic
import pytest
import yaml

from medlm.errors import InputError, ValidationError
from medlm.records import PatientRecord, Sex
from medlm.records.csv_map import ColumnMap, load_column_map, read_csv

PIMA_MAP = """
patient:
  id_prefix: pima
  age: Age
observations:
  - column: Glucose
    code: {system: "urn:medlm", code: ogtt-2h-glucose}
    unit: mg/dL
  - column: BMI
    code: {system: "http://loinc.org", code: 39156-5}
    unit: kg/m2
"""

GLUCOSE = {"system": "http://loinc.org", "code": "2345-7"}


def _map(**patient: object) -> ColumnMap:
    return ColumnMap.model_validate(
        {
            "patient": {"id": "pid", **patient},
            "observations": [
                {"column": "glucose", "code": GLUCOSE, "unit": "mg/dL"},
                {"column": "smoking", "code": {"system": "urn:medlm", "code": "smoking"}},
            ],
        }
    )


def test_real_pima_csv_reads_as_768_patients_matching_the_dataset_records(
    tmp_path: Path, pima_records: list[PatientRecord]
) -> None:
    from medlm.datasets import load

    csv_path = tmp_path / "pima.csv"
    load("pima").frame.to_csv(csv_path, index=False)
    map_path = tmp_path / "pima.yaml"
    map_path.write_text(PIMA_MAP, encoding="utf-8")

    report = read_csv(csv_path, load_column_map(map_path))

    assert report.patients == 768 and report.rejections == []
    for ours, theirs in zip(report.records, pima_records, strict=True):
        assert ours.patient.id == theirs.patient.id
        assert ours.patient.age == theirs.patient.age
        for code in ("ogtt-2h-glucose", "39156-5"):
            mine, source = ours.latest(code), theirs.latest(code)
            assert (mine and mine.value) == (source and source.value)


def test_rows_of_one_patient_are_grouped_into_one_record() -> None:
    text = "pid,glucose,smoking\na,99,never\nb,100,\na,110,\n"
    report = read_csv(text, _map())
    assert [r.patient.id for r in report.records] == ["a", "b"]
    observations = report.records[0].observations
    assert [(o.code.code, o.value, o.value_text) for o in observations] == [
        ("2345-7", 99.0, None),
        ("smoking", None, "never"),
        ("2345-7", 110.0, None),
    ]
    assert observations[0].id == "a-glucose-2"
    assert report.count("Observation").accepted == 4


def test_bad_cells_are_rejected_by_row_and_column_and_the_rest_is_read() -> None:
    text = (
        "pid,sex,age,glucose,smoking\na,F,50,9x,\nb,Z,40,90,\n,F,30,90,\nc,M,-3,90,\nd,M,60,95,\n"
    )
    report = read_csv(text, _map(sex="sex", sex_values={"F": "female", "M": "male"}, age="age"))
    got = [(r.position, r.resource_type, r.field, r.value) for r in report.rejections]
    assert got == [
        (2, "Observation", "glucose", "9x"),
        (3, "Patient", "sex", "Z"),
        (4, "Patient", "pid", None),
        (5, "Patient", "age", "-3"),
    ]
    assert [r.patient.id for r in report.records] == ["a", "d"]
    assert report.records[0].patient.sex is Sex.FEMALE


def test_conflicting_demographics_for_one_patient_are_rejected_not_overwritten() -> None:
    text = "pid,sex,glucose,smoking\na,F,90,\na,M,95,\n"
    report = read_csv(text, _map(sex="sex", sex_values={"F": "female", "M": "male"}))
    assert report.rejections[0].position == 3
    assert "differ from an earlier row" in report.rejections[0].reason
    assert len(report.records[0].observations) == 1


def _glucose_map(unit: str, **extra: str) -> ColumnMap:
    column = {"column": "g", "code": GLUCOSE, "unit": unit, **extra}
    return ColumnMap.model_validate({"patient": {"id": "pid"}, "observations": [column]})


def test_a_map_unit_that_is_not_ucum_is_refused_when_the_map_is_read() -> None:
    with pytest.raises(pydantic.ValidationError, match="'mg per dl' is not a UCUM code"):
        _glucose_map("mg per dl")


def test_deprecated_quantity_and_convert_to_are_ignored_and_the_report_says_so() -> None:
    report = read_csv(
        "pid,g\na,100\n", _glucose_map("mg/dL", quantity="glucose", convert_to="mmol/L")
    )
    assert report.records[0].observations[0].value == 100.0
    assert any("deprecated and ignored" in note for note in report.notes)


def test_missing_mapped_column_is_an_input_error_listing_it() -> None:
    with pytest.raises(InputError, match="lacks the mapped column"):
        read_csv("pid,other\na,1\n", _map())


@pytest.mark.parametrize("text", ["", "pid,glucose,smoking\n"])
def test_empty_csv_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match=r"empty|no rows"):
        read_csv(text, _map())


def test_a_carriage_return_in_an_unquoted_header_cell_is_an_input_error_naming_row_1() -> None:
    with pytest.raises(InputError, match=r"malformed at row 1 \(the header\): new-line"):
        read_csv("id\rsex", ColumnMap.model_validate({"patient": {}}))


def test_a_malformed_data_row_is_an_input_error_naming_its_row() -> None:
    text = "pid,glucose,smoking\na,100,no\nb,9\r0,no\n"
    with pytest.raises(InputError, match=r"input is malformed at row 3: new-line") as caught:
        read_csv(text, _map())
    assert "do you need" not in str(caught.value)


def test_column_map_loads_from_json_and_yaml(tmp_path: Path) -> None:
    data = _map().model_dump(mode="json")
    (tmp_path / "m.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_column_map(tmp_path / "m.json") == load_column_map(tmp_path / "m.yaml") == _map()


def test_invalid_column_map_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("patient: {id: pid}\nobservations: [{column: g}]\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"observations\.0\.code"):
        load_column_map(path)


def test_the_map_example_in_the_module_docstring_is_valid() -> None:
    import textwrap

    from medlm.records import csv_map

    doc = csv_map.__doc__ or ""
    example = textwrap.dedent(doc.split("::\n", 1)[1].split("\n\n", 1)[0])
    column_map = ColumnMap.model_validate(yaml.safe_load(example))
    text = "subject_id,sex,age_years,dob,visit_date,glucose\ns1,F,50,1974-01-02,2024-05-01,99\n"
    (record,) = read_csv(text, column_map).records
    assert record.observations[0].unit == "mmol/L"
    assert record.patient.sex is Sex.FEMALE
