"""Ray Data engine: the same outputs record for record as the local engine; resumable after
the Ray job is killed midway. One Ray session (2 CPUs) is shared by the module's tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.batch.helpers import outputs, rejects, write_jsonl

from medlm.batch import BatchOptions, run_batch
from medlm.errors import ConfigError

TEXT_COLUMNS = ("entities", "sections")


@pytest.fixture(scope="module")
def ray_session() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


def _with_bad_lines(records: list[dict[str, Any]]) -> list[dict[str, Any] | str]:
    return [*records[:100], "{oops", {"id": "no-text"}, *records[100:]]


def _run_both(source: Path, tmp_path: Path, options: BatchOptions) -> tuple[Path, Path]:
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    run_batch("text", source, local, options)
    summary = run_batch("text", source, on_ray, options.model_copy(update={"engine": "ray"}))
    assert summary.engine == "ray"
    return local, on_ray


def test_text_on_ray_matches_local_record_for_record(
    ray_session: None, abstracts: list[dict[str, Any]], tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "abstracts.jsonl", _with_bad_lines(abstracts[:1000]))
    options = BatchOptions(shard_size=250, batch_size=32, concurrency=2)
    local, on_ray = _run_both(source, tmp_path, options)
    local_out = outputs(local, TEXT_COLUMNS)
    assert len(local_out) == 1000
    assert outputs(on_ray, TEXT_COLUMNS) == local_out
    assert sorted(p.name for p in on_ray.glob("part-*")) == [
        f"part-{i:05d}.parquet" for i in range(5)
    ]
    assert [(r["line"], r.get("field")) for r in rejects(on_ray)] == [(101, None), (102, "text")]
    assert rejects(on_ray) == rejects(local)


def test_risk_on_ray_matches_local_in_jsonl(
    ray_session: None, tmp_path: Path, pima_model: Path, pima_rows: list[dict[str, Any]]
) -> None:
    bad = {**pima_rows[5], "Age": "old"}
    source = write_jsonl(tmp_path / "p.jsonl", [*pima_rows[:5], bad, *pima_rows[6:]])
    options = BatchOptions(
        shard_size=20, batch_size=8, output_format="jsonl", job_options={"model": str(pima_model)}
    )
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    run_batch("risk", source, local, options)
    run_batch("risk", source, on_ray, options.model_copy(update={"engine": "ray"}))
    assert outputs(on_ray) == outputs(local)
    assert [(r["id"], r["field"]) for r in rejects(on_ray)] == [("pima-0006", "Age")]


def test_ray_engine_without_ray_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    source = write_jsonl(tmp_path / "n.jsonl", [{"id": "1", "text": "Seen 03/14/2024."}])
    options = BatchOptions(engine="ray", job_options={"ner": "off"})
    with pytest.raises(ConfigError, match=r"medlm\[ray\]"):
        run_batch("deid", source, tmp_path / "out", options)


@pytest.mark.slow
def test_2000_abstracts_identical_and_a_killed_ray_job_resumes_without_redoing_shards(
    ray_session: None, abstracts: list[dict[str, Any]], tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "abstracts.jsonl", abstracts[:2000])
    options = BatchOptions(engine="ray", shard_size=200, batch_size=32, concurrency=2)
    out = tmp_path / "ray"
    args = ["batch", "text", "--input", str(source), "--output", str(out), "--engine", "ray"]
    args += ["--shard-size", "200", "--batch-size", "32", "--concurrency", "2", "--workers", "2"]
    cli = [sys.executable, "-c", "from medlm.cli.app import main; main()", *args]
    process = subprocess.Popen(cli, start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while len(list(out.glob("part-*.parquet"))) < 2 and time.monotonic() < deadline:
            assert process.poll() is None, "the job ended before it could be killed"
            time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}
    assert 2 <= len(finished) < 10
    resumed = run_batch("text", source, out, options)
    assert resumed.shards_skipped >= len(finished)
    assert {p: (out / p).stat().st_mtime_ns for p in finished} == finished
    local = tmp_path / "local"
    run_batch("text", source, local, options.model_copy(update={"engine": "local"}))
    local_out = outputs(local, TEXT_COLUMNS)
    assert len(local_out) == 2000
    assert outputs(out, TEXT_COLUMNS) == local_out
