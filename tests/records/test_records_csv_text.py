"""CSV text with a column map given as text (an upload): one reader, errors naming the source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from medlm.errors import InputError, ValidationError
from medlm.records.csv_map import load_column_map, parse_column_map
from medlm.records.read import read_csv_text, read_path

MAP = {
    "patient": {"id": "subject", "sex": "sex", "sex_values": {"F": "female", "M": "male"}},
    "observations": [
        {
            "column": "glucose",
            "code": {"system": "http://loinc.org", "code": "2345-7"},
            "unit": "mmol/L",
        }
    ],
}
MAP_YAML = yaml.safe_dump(MAP)
MAP_JSON = json.dumps(MAP)
CSV = "subject,sex,age,glucose\nc1,F,50,5.5\nc2,M,61,abc\n"


def test_parse_column_map_reads_yaml_and_json_alike() -> None:
    assert parse_column_map(MAP_YAML, "m.yaml") == parse_column_map(MAP_JSON, "m.json")


def test_parse_column_map_gives_what_load_column_map_gives(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MAP_YAML, encoding="utf-8")
    assert load_column_map(path) == parse_column_map(MAP_YAML, "m.yaml")


def test_a_map_that_is_not_yaml_is_an_input_error_naming_the_map() -> None:
    with pytest.raises(InputError, match=r"column map 'upload\.yaml' is not valid YAML/JSON"):
        parse_column_map("patient: [unclosed", "upload.yaml")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("patient: {id: [1, 2]}\n", "patient.id"),
        ("- just\n- a list\n", "(top level)"),
        ("patient: {id: pid}\nobservations: [{column: g}]\n", "observations.0.code"),
    ],
)
def test_a_map_with_a_bad_field_is_a_validation_error_naming_map_and_field(
    text: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_column_map(text, "upload.yaml")
    assert caught.value.field == field and caught.value.record == "upload.yaml"
    assert "'upload.yaml'" in str(caught.value)


def test_csv_text_reads_as_the_same_file_does_with_its_source_named(tmp_path: Path) -> None:
    (tmp_path / "labs.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "map.yaml").write_text(MAP_YAML, encoding="utf-8")
    from_file = read_path(tmp_path / "labs.csv", column_map=tmp_path / "map.yaml")
    from_text = read_csv_text(CSV, MAP_YAML, "labs.csv")
    assert from_text.records == from_file.records
    assert [r.field for r in from_text.rejections] == [r.field for r in from_file.rejections]
    assert from_text.source == "labs.csv"


def test_csv_text_values_are_normalized_to_the_concepts_unit() -> None:
    report = read_csv_text(CSV, MAP_YAML, "labs.csv")
    (glucose,) = report.records[0].observations
    assert glucose.unit == "mg/dL" and glucose.value == pytest.approx(99.1, abs=0.1)


def test_csv_text_accepts_a_map_already_parsed() -> None:
    parsed = parse_column_map(MAP_YAML, "m.yaml")
    assert (
        read_csv_text(CSV, parsed, "x.csv").records == read_csv_text(CSV, MAP_YAML, "x.csv").records
    )


def test_csv_text_errors_name_the_source() -> None:
    with pytest.raises(InputError, match=r"CSV labs\.csv lacks the mapped column"):
        read_csv_text("subject,age\nc1,50\n", MAP_YAML, "labs.csv")


def test_a_bad_map_given_as_text_is_named_after_its_csv_unless_named() -> None:
    with pytest.raises(ValidationError, match=r"column map of labs\.csv"):
        read_csv_text(CSV, "patient: {id: [1]}\n", "labs.csv")
    with pytest.raises(ValidationError, match=r"'map\.yaml'"):
        read_csv_text(CSV, "patient: {id: [1]}\n", "labs.csv", map_name="map.yaml")
