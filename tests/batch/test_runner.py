"""Local runs: resumable after an interruption, identical on 1 or 2 workers, no Ray imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.batch.helpers import outputs, rejects, write_jsonl

from medlm.batch import BatchOptions, run_batch
from medlm.batch.manifest import ShardState


class _Interrupted(Exception):
    pass


def _stop_after(n: int) -> Any:
    seen: list[int] = []

    def on_shard(state: ShardState) -> None:
        seen.append(state.index)
        if len(seen) == n:
            raise _Interrupted

    return on_shard


def _risk_input(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    bad = [*rows[:25], "{not json", {**rows[25], "BMI": "thirty"}, *rows[26:40]]
    return write_jsonl(tmp_path / "patients.jsonl", bad)


def test_interrupted_job_resumes_without_redoing_finished_shards(
    tmp_path: Path, pima_model: Path, pima_rows: list[dict[str, Any]]
) -> None:
    source = _risk_input(tmp_path, pima_rows)
    options = BatchOptions(shard_size=10, batch_size=4, job_options={"model": str(pima_model)})
    whole = run_batch("risk", source, tmp_path / "whole", options)
    out = tmp_path / "out"
    with pytest.raises(_Interrupted):
        run_batch("risk", source, out, options, on_shard=_stop_after(2))
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*")}
    assert sorted(first) == ["part-00000.parquet", "part-00001.parquet"]
    again = run_batch("risk", source, out, options)
    assert (again.shards, again.shards_skipped) == (5, 2)
    assert {p: (out / p).stat().st_mtime_ns for p in first} == first
    assert outputs(out, ("score",)) == outputs(tmp_path / "whole", ("score",))
    assert rejects(out) == rejects(tmp_path / "whole")
    assert (whole.records, whole.rejects) == (39, 2)


def test_rejects_name_line_id_and_field_and_the_rest_is_processed(
    tmp_path: Path, pima_model: Path, pima_rows: list[dict[str, Any]]
) -> None:
    source = _risk_input(tmp_path, pima_rows)
    options = BatchOptions(shard_size=10, job_options={"model": str(pima_model)})
    summary = run_batch("risk", source, tmp_path / "out", options)
    assert (summary.records, summary.rejects) == (39, 2)
    found = rejects(tmp_path / "out")
    assert [(r["line"], r.get("id"), r.get("field")) for r in found] == [
        (26, None, None),
        (27, "pima-0026", "BMI"),
    ]


def test_finished_job_run_again_redoes_nothing(
    tmp_path: Path, pima_model: Path, pima_rows: list[dict[str, Any]]
) -> None:
    source = write_jsonl(tmp_path / "p.jsonl", list(pima_rows[:20]))
    options = BatchOptions(shard_size=10, job_options={"model": str(pima_model)})
    run_batch("risk", source, tmp_path / "out", options)
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").glob("part-*")}
    again = run_batch("risk", source, tmp_path / "out", options)
    assert (again.records, again.shards_skipped) == (0, 2)
    after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").glob("part-*")}
    assert after == before


@pytest.mark.parametrize("output_format", ["parquet", "jsonl"])
def test_two_local_workers_write_what_one_writes(
    tmp_path: Path, pima_model: Path, pima_rows: list[dict[str, Any]], output_format: str
) -> None:
    source = _risk_input(tmp_path, pima_rows)
    results = []
    for workers in (1, 2):
        options = BatchOptions(
            shard_size=16,
            batch_size=4,
            workers=workers,
            output_format=output_format,  # type: ignore[arg-type]
            job_options={"model": str(pima_model)},
        )
        run_batch("risk", source, tmp_path / f"w{workers}", options)
        results.append(
            (outputs(tmp_path / f"w{workers}", ("score",)), rejects(tmp_path / f"w{workers}"))
        )
    assert results[0] == results[1]
    assert len(results[0][0]) == 39


def test_local_engine_does_not_import_ray(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "notes.jsonl", [{"id": "n1", "text": "Seen on 03/14/2024."}])
    code = (
        "import sys; from pathlib import Path; from medlm.batch import BatchOptions, run_batch; "
        f"run_batch('deid', Path({str(source)!r}), Path({str(tmp_path / 'out')!r}), "
        "BatchOptions(job_options={'ner': 'off'})); "
        "print(json.dumps(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    assert len(outputs(tmp_path / "out", ("spans",))) == 1


@pytest.mark.slow
def test_embed_on_two_local_workers_finishes_and_matches_one(tmp_path: Path) -> None:
    texts = ["Patient denies chest pain.", "Troponin negative.", "BP 150/95 on amlodipine."]
    records = [{"id": str(i), "text": t} for i, t in enumerate(texts * 4)]
    source = write_jsonl(tmp_path / "t.jsonl", list(records))
    got = []
    for workers in (1, 2):
        options = BatchOptions(shard_size=6, batch_size=3, workers=workers)
        run_batch("embed", source, tmp_path / f"w{workers}", options)
        got.append(outputs(tmp_path / f"w{workers}"))
    assert len(got[0]) == 12
    assert got[0] == got[1]
