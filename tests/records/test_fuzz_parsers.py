"""Property tests on the records readers: any JSON-like input (with lone surrogates, odd types
and deep nesting) is read into a report or refused with medlm's own errors, never a crash."""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medlm.errors import MedlmError
from medlm.records.csv_map import ColumnMap, load_column_map, read_csv
from medlm.records.read import read_cds_request, read_document, read_path
from medlm.records.report import IngestReport
from medlm.records.vital_lines import read_vital_items, read_vital_lines, read_vital_text

AS_OF = datetime(2025, 6, 1, 12, tzinfo=UTC)
FUZZ = settings(
    max_examples=int(os.environ.get("MEDLM_FUZZ_EXAMPLES", "75")),
    deadline=None,
    derandomize="MEDLM_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ODD_TEXT = st.sampled_from(
    ["\ud800", "a\udfffb", "", " ", "0001-01-01", "9999-12-31T23:59:59-14:00", "1e308", "NaN",
     "Patient/", "Patient/p1", "urn:uuid:1", "\x00", "ok"]
)  # fmt: skip
TEXT = st.one_of(st.text(max_size=12), ODD_TEXT)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
FIELDS = st.sampled_from(
    ["resourceType", "id", "entry", "resource", "fullUrl", "subject", "reference", "code",
     "coding", "system", "value", "valueQuantity", "unit", "effectiveDateTime", "birthDate",
     "gender", "status", "component", "type", "medicationCodeableConcept", "deceasedDateTime",
     "issued", "valueString", "request", "text"]
)  # fmt: skip
KINDS = st.sampled_from(
    ["Bundle", "Patient", "Observation", "Condition", "MedicationRequest", "AllergyIntolerance",
     "MedicationStatement", "Procedure", "Encounter", "Nope", ""]
)  # fmt: skip


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(FIELDS, TEXT), children, max_size=5),
    )


JSON = st.recursive(SCALAR, _extend, max_leaves=30)


@st.composite
def resources(draw: st.DrawFn) -> dict[str, Any]:
    """A FHIR-shaped object: a resourceType and well-known fields with arbitrary values."""
    resource: dict[str, Any] = {"resourceType": draw(KINDS)}
    resource.update(draw(st.dictionaries(FIELDS, JSON, max_size=6)))
    if draw(st.booleans()):
        resource["resourceType"] = draw(KINDS)
    return resource


@st.composite
def bundles(draw: st.DrawFn) -> dict[str, Any]:
    entries = draw(
        st.lists(
            st.one_of(
                st.fixed_dictionaries({"resource": resources()}),
                st.dictionaries(FIELDS, JSON, max_size=3),
                JSON,
            ),
            max_size=5,
        )
    )
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": draw(st.one_of(TEXT, JSON))}
    bundle["entry"] = draw(st.one_of(st.just(entries), JSON))
    return bundle


DOCUMENTS = st.one_of(JSON, resources(), bundles(), st.lists(resources(), max_size=3))


def _is_report(value: object) -> bool:
    return isinstance(value, IngestReport)


@FUZZ
@given(DOCUMENTS)
def test_read_document_reads_or_refuses_with_a_medlm_error(document: Any) -> None:
    with contextlib.suppress(MedlmError):
        assert _is_report(read_document(document, as_of=AS_OF))


@st.composite
def cds_requests(draw: st.DrawFn) -> Any:
    prefetch = draw(
        st.one_of(st.dictionaries(TEXT, st.one_of(resources(), bundles(), JSON), max_size=3), JSON)
    )
    context = draw(
        st.one_of(
            st.fixed_dictionaries(
                {"patientId": st.one_of(TEXT, JSON), "draftOrders": st.one_of(bundles(), JSON)}
            ),
            JSON,
        )
    )
    request = {"hook": draw(TEXT), "context": context, "prefetch": prefetch}
    return draw(st.one_of(st.just(request), JSON))


@FUZZ
@given(cds_requests())
def test_read_cds_request_reads_or_refuses_with_a_medlm_error(request: Any) -> None:
    with contextlib.suppress(MedlmError):
        assert _is_report(read_cds_request(request, as_of=AS_OF))


VITAL_FIELDS = st.sampled_from(
    ["patient_id", "time", "respiratory_rate", "spo2", "spo2_scale", "supplemental_oxygen",
     "systolic_bp", "heart_rate", "consciousness", "temperature", "name"]
)  # fmt: skip
VITAL_SETS = st.dictionaries(VITAL_FIELDS, st.one_of(SCALAR, JSON), max_size=8)


@FUZZ
@given(st.lists(st.one_of(VITAL_SETS, JSON), max_size=5))
def test_read_vital_items_never_crashes(items: list[Any]) -> None:
    report = read_vital_items(list(enumerate(items)), as_of=AS_OF)
    assert _is_report(report)


@FUZZ
@given(st.lists(st.one_of(TEXT, VITAL_SETS.map(json.dumps), JSON.map(json.dumps)), max_size=5))
def test_read_vital_lines_and_text_never_crash(lines: list[str]) -> None:
    assert _is_report(read_vital_lines(lines, as_of=AS_OF))
    report, _ = read_vital_text("\n".join(lines), as_of=AS_OF)
    assert _is_report(report)


@FUZZ
@given(st.one_of(resources(), bundles()).map(json.dumps))
def test_read_vital_text_reads_fhir_documents_or_refuses_with_a_medlm_error(text: str) -> None:
    try:
        report, _ = read_vital_text(text, as_of=AS_OF)
    except MedlmError:
        return
    assert _is_report(report)


CSV_MAP = ColumnMap.model_validate(
    {
        "patient": {"id": "id", "sex": "sex", "sex_values": {"F": "female"}, "age": "age",
                    "birth_date": "dob", "effective": "when"},
        "observations": [
            {"column": "glucose", "unit": "mmol/L",
             "code": {"system": "http://loinc.org", "code": "2345-7"}},
            {"column": "note", "code": {"system": "http://loinc.org", "code": "8302-2"}},
        ],
    }
)  # fmt: skip
CELL = st.one_of(TEXT, st.sampled_from(["F", "M", "5.5", "-1", "1e400", "2020-02-30", "nan"]))


@FUZZ
@given(
    st.lists(st.lists(CELL, min_size=7, max_size=7), max_size=5),
    st.lists(TEXT, max_size=3),
)
def test_read_csv_reads_or_refuses_with_a_medlm_error(
    rows: list[list[str]], raw: list[str]
) -> None:
    header = "id,sex,age,dob,when,glucose,note"
    quoted = ['"' + '","'.join(c.replace('"', '""') for c in row) + '"' for row in rows]
    texts = [header + "\n" + "\n".join(quoted), header + "\n" + "\n".join(raw), "\n".join(raw)]
    for text in texts:
        with contextlib.suppress(MedlmError):
            assert _is_report(read_csv(text, CSV_MAP))


def test_read_csv_refuses_a_carriage_return_in_an_unquoted_header_cell() -> None:
    with pytest.raises(MedlmError):
        read_csv("id\rsex", ColumnMap.model_validate({"patient": {}}))


@FUZZ
@given(data=JSON)
def test_column_maps_load_or_are_refused_with_a_medlm_error(
    tmp_path_factory: pytest.TempPathFactory, data: Any
) -> None:
    path = Path(tmp_path_factory.mktemp("maps")) / "map.json"
    try:
        path.write_text(json.dumps(data), encoding="utf-8")
    except UnicodeEncodeError:
        path.write_bytes(json.dumps(data).encode("utf-8"))
    with contextlib.suppress(MedlmError):
        assert isinstance(load_column_map(path), ColumnMap)


@FUZZ
@given(JSON)
def test_a_column_map_document_validates_or_raises_pydantics_error(data: Any) -> None:
    with contextlib.suppress(pydantic.ValidationError):
        ColumnMap.model_validate(data)


def _nested(depth: int) -> Any:
    nested: Any = []
    for _ in range(depth):
        nested = [nested]
    return nested


@pytest.mark.parametrize("depth", [65, 900, 5000])
@pytest.mark.parametrize(
    "where",
    [
        lambda n: [n],
        lambda n: [{"patient": {"id": n}}],
        lambda n: {"resourceType": "Patient", "id": n},
        lambda n: {"resourceType": "Observation", "code": n},
        lambda n: {"resourceType": "Bundle", "type": "collection", "entry": n},
    ],
)
def test_a_document_nested_too_deeply_is_an_input_error(depth: int, where: Any) -> None:
    with pytest.raises(MedlmError, match="nested deeper than 64"):
        read_document(where(_nested(depth)))
    observation = {"resourceType": "Observation", "code": _nested(depth)}
    with pytest.raises(MedlmError, match="nested deeper than 64"):
        read_cds_request({"hook": "h", "prefetch": {"a": observation}})


def test_a_document_nested_within_the_bound_is_read() -> None:
    report = read_document({"resourceType": "Patient", "id": "p1", "extension": _nested(60)})
    assert _is_report(report)


@pytest.mark.parametrize(
    "document",
    [
        {"resourceType": "Bundle", "type": "collection", "entry": [{"resourceType": "\ud800"}]},
        {"resourceType": "Patient", "id": "p\udc00"},
        [{"patient": {"id": "a\ud83d"}}],
        {
            "resourceType": "Bundle",
            "entry": [{"resource": {"resourceType": "Patient"}}],
            "\ud800": 1,
        },
    ],
)
def test_a_lone_surrogate_anywhere_is_an_input_error_naming_its_path(document: Any) -> None:
    with pytest.raises(MedlmError, match="lone surrogate"):
        read_document(document)
    with pytest.raises(MedlmError, match=r"prefetch\.p"):
        read_cds_request({"hook": "patient-view", "prefetch": {"p": document}})


def test_a_json_file_nested_too_deeply_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(MedlmError, match="nested too deeply"):
        read_path(path)


def test_an_ndjson_line_nested_too_deeply_is_a_rejection_or_input_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.ndjson"
    path.write_text("[" * 100_000 + "\n", encoding="utf-8")
    with contextlib.suppress(MedlmError):
        read_path(path)


@FUZZ
@given(st.lists(st.one_of(DOCUMENTS.map(json.dumps), TEXT), min_size=1, max_size=5))
def test_read_ndjson_reads_or_refuses_and_its_report_can_be_written_out(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str]
) -> None:
    path = Path(tmp_path_factory.mktemp("ndjson")) / "bulk.ndjson"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    try:
        report = read_path(path)
    except MedlmError:
        return
    assert _is_report(report)
    report.model_dump_json().encode("utf-8")
