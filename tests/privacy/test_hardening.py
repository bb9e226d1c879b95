"""Property-based hardening of the parsers that take PHI-bearing input: FHIR bundles, CSV with
a column map, and vital-sign JSON lines either succeed or raise medlm's own errors."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medlm.errors import MedlmError
from medlm.records.csv_map import ColumnMap, read_csv
from medlm.records.fhir import read_bundle
from medlm.records.vital_lines import read_vital_lines

FAST = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
resource_types = st.sampled_from(["Patient", "Observation", "Condition", "MedicationStatement",
                                  "AllergyIntolerance", "DocumentReference", "Foo"])  # fmt: skip


@st.composite
def bundles(draw: st.DrawFn) -> dict[str, Any]:
    entries = []
    for _ in range(draw(st.integers(0, 3))):
        resource = draw(st.dictionaries(st.text(max_size=12), json_values, max_size=5))
        resource["resourceType"] = draw(resource_types)
        resource["id"] = draw(st.text(max_size=8))
        entries.append({"resource": resource})
    return {
        "resourceType": "Bundle",
        "type": draw(st.sampled_from(["collection", "x"])),
        "entry": entries,
    }


@FAST
@given(bundle=bundles())
def test_fhir_reader_never_raises_foreign_errors(bundle: dict[str, Any]) -> None:
    with contextlib.suppress(MedlmError):
        read_bundle(bundle)


@FAST
@given(raw=st.binary(max_size=200) | st.text(max_size=200))
def test_fhir_reader_rejects_arbitrary_bytes_cleanly(raw: bytes | str) -> None:
    with contextlib.suppress(MedlmError):
        read_bundle(raw)


CSV_MAP = ColumnMap.model_validate(
    {
        "patient": {
            "id": "pid",
            "sex": "sex",
            "sex_values": {"F": "female", "M": "male"},
            "age": "age",
        },
        "observations": [
            {
                "column": "glucose",
                "code": {"system": "http://loinc.org", "code": "2345-7"},
                "unit": "mg/dL",
            }
        ],
    }
)
cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)


@FAST
@given(rows=st.lists(st.tuples(cells, cells, cells, cells), min_size=1, max_size=5))
def test_csv_reader_reports_or_raises_medlm_errors(rows: list[tuple[str, ...]]) -> None:
    lines = ["pid,sex,age,glucose"] + [",".join(json.dumps(c) for c in row) for row in rows]
    with contextlib.suppress(MedlmError):
        read_csv("\n".join(lines), CSV_MAP)


@FAST
@given(
    payload=st.dictionaries(
        st.sampled_from(
            [
                "patient_id",
                "time",
                "respiratory_rate",
                "spo2",
                "heart_rate",
                "systolic_bp",
                "temperature_c",
                "temperature_f",
                "consciousness",
                "x",
            ]
        ),
        json_values,
        max_size=6,
    )
)
def test_vital_sign_line_parser_raises_only_medlm_errors(payload: dict[str, Any]) -> None:
    with contextlib.suppress(MedlmError):
        read_vital_lines([json.dumps(payload)])
