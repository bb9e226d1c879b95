"""Input shards, bad lines as rejects, and Parquet/JSONL outputs that round-trip."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.batch.helpers import write_jsonl

from medlm.batch.io import iter_shards, read_outputs, write_part
from medlm.batch.jobs import make_job
from medlm.batch.records import Reject


def test_blank_lines_are_not_records_and_shards_cut_by_record_count(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b"}\n{"id": "c"}\n   \n{"id": "d"}\n{"id": "e"}\n')
    shards = list(iter_shards(path, 2, {0, 1, 2}))
    assert [s.index for s in shards] == [0, 1, 2]
    assert [[n for n, _ in s.items] for s in shards] == [[1, 3], [4, 6], [7]]


def test_bad_lines_become_rejects_of_their_shard_naming_the_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": "a"}, "not json", "[1, 2]", {"id": "b"}])
    (shard,) = iter_shards(path, 10, {0})
    assert [n for n, _ in shard.items] == [1, 4]
    assert [r.line for r in shard.rejects] == [2, 3]
    assert "line 2 is not JSON" in shard.rejects[0].error
    assert "JSON list, not an object" in shard.rejects[1].error


def test_non_utf8_line_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": "a", "text": "ok"}\n{"text": "caf\xe9"}\n')
    (shard,) = iter_shards(path, 10, {0})
    assert [r.line for r in shard.rejects] == [2]
    assert "not UTF-8" in shard.rejects[0].error


def test_only_wanted_shards_are_read(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": str(i)} for i in range(7)])
    shards = list(iter_shards(path, 3, {1}))
    assert [(s.index, [r["id"] for _, r in s.items]) for s in shards] == [(1, ["3", "4", "5"])]


def test_parquet_input_numbers_rows_from_one(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"], "text": ["x", "y", "z"]}), path)
    shards = list(iter_shards(path, 2, {0, 1}))
    assert [[(n, r["id"]) for n, r in s.items] for s in shards] == [
        [(1, "a"), (2, "b")],
        [(3, "c")],
    ]


@pytest.mark.parametrize("output_format", ["parquet", "jsonl"])
def test_outputs_round_trip_in_both_formats(tmp_path: Path, output_format: str) -> None:
    job = make_job("deid", {})
    records = [
        {
            "id": "n1",
            "line": 1,
            "text": "Seen by [NAME].",
            "spans": [{"start": 8, "end": 18, "label": "NAME", "score": 0.9}],
            "unshifted_dates": 0,
        },
        {"id": None, "line": 3, "text": "No PHI.", "spans": [], "unshifted_dates": 0},
    ]
    path = write_part(tmp_path, 0, records, job, "line", output_format)  # type: ignore[arg-type]
    assert path.name == f"part-00000.{output_format}"
    assert not list(tmp_path.glob(".*.tmp"))
    assert read_outputs(tmp_path, job.json_columns) == records


def test_reject_at_row_names_the_row_not_a_line() -> None:
    reject = Reject.at("row", 4, "bad", id=7, field="Age")
    assert (reject.row, reject.line, reject.id, reject.field) == (4, None, "7", "Age")
