"""The Ray engine: Ray Data `read_parquet` over staged shards, `map_batches` with a class UDF.

Pending shards are staged as Parquet under `_staging/` (one row per chunk of `batch_size`
records, the same chunks the local engine makes), read back with `ray.data.read_parquet`, and
mapped by `ChunkMapper`, which sets its job up once per actor; `concurrency` actors run at once
on a Ray started with `num_cpus=workers` (or the Ray already running in this process, which is
then left running). Results come back as they finish; a shard is written as soon as all of its
chunks are in, so an interrupted job keeps every shard already written.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from medlm.batch.engines import ShardDone, chunks, merge
from medlm.batch.io import Shard
from medlm.batch.jobs import make_job
from medlm.batch.records import BatchOptions, ChunkResult, Position
from medlm.errors import ConfigError

logger = logging.getLogger(__name__)

STAGING = "_staging"


def import_ray() -> Any:
    """The `ray` module, or a ConfigError naming the extra that installs it."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ConfigError(
            "the ray engine needs Ray Data: pip install 'medlm[ray]' (or use --engine local)"
        ) from exc
    return ray


class ChunkMapper:
    """Ray Data UDF: one job per actor, set up in `__init__`; maps chunk rows to results."""

    def __init__(self, job: str, options: dict[str, str], secret: str, where: Position) -> None:
        self.job = make_job(job, options, secret)
        self.job.setup()
        self.where: Position = where

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        results = []
        for text in batch["items"]:
            items = [(int(n), record) for n, record in json.loads(text)]
            results.append(self.job.process(items, self.where).model_dump_json())
        return {
            "shard": batch["shard"],
            "chunk": batch["chunk"],
            "result": np.array(results, dtype=object),
        }


def run_ray(
    job: str,
    shards: Iterable[Shard],
    where: Position,
    *,
    options: BatchOptions,
    secret: str,
    folder: Path,
    done: ShardDone,
) -> None:
    """Process every shard on Ray Data; `done` for each shard as it completes."""
    ray = import_ray()
    started = not ray.is_initialized()
    if started:
        ray.init(
            num_cpus=options.workers + 1,  # one more for Ray Data's listing (see _run)
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    staging = folder / STAGING
    try:
        _run(ray, job, shards, where, options, secret, staging, done)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if started:
            ray.shutdown()


def _run(
    ray: Any,
    job: str,
    shards: Iterable[Shard],
    where: Position,
    options: BatchOptions,
    secret: str,
    staging: Path,
    done: ShardDone,
) -> None:
    files, waiting = [], {}
    for shard in shards:
        parts = chunks(shard, options.batch_size)
        if not parts:  # nothing readable in it: only its unreadable lines to write
            done(shard, ChunkResult())
            continue
        files.append(str(_stage(staging, shard, parts)))
        waiting[shard.index] = (shard, len(parts))
    if not files:
        return
    ray.data.DataContext.get_current().enable_progress_bars = False
    # One folder path, not a list of files: Ray 2.60 resolves a list on several threads, and
    # without aiohttp their concurrent fsspec imports fail ("cannot import HTTPFileSystem").
    # The actors hold the CPUs they ask for as long as they live, and Ray Data's file listing
    # task asks for one: the actors share all but one logical CPU, or the listing never starts
    # and the job hangs. Reading the staged chunks is light and asks for none.
    total = float(ray.cluster_resources().get("CPU", 1.0))
    share = max(0.01, min(1.0, (total - 1.0) / options.concurrency))
    # One block per staged shard, so shards spread over the actors.
    source = ray.data.read_parquet(str(staging), num_cpus=0, override_num_blocks=len(files))
    mapped = source.map_batches(
        ChunkMapper,
        fn_constructor_kwargs={
            "job": job,
            "options": options.job_options,
            "secret": secret,
            "where": where,
        },
        batch_size=1,  # one row is one chunk of options.batch_size records
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=min(options.concurrency, len(files))),
        num_cpus=share,
    )
    arrived: dict[int, dict[int, ChunkResult]] = {}
    for shard_index, chunk_index, result in _rows(mapped):
        got = arrived.setdefault(shard_index, {})
        got[chunk_index] = result
        shard, expected = waiting[shard_index]
        if len(got) == expected:
            done(shard, merge([got[i] for i in range(expected)]))
            del arrived[shard_index]


def _rows(dataset: Any) -> Iterator[tuple[int, int, ChunkResult]]:
    for row in dataset.iter_rows():
        yield int(row["shard"]), int(row["chunk"]), ChunkResult.model_validate_json(row["result"])


def _stage(staging: Path, shard: Shard, parts: list[list[Any]]) -> Path:
    staging.mkdir(parents=True, exist_ok=True)
    path = staging / f"shard-{shard.index:05d}.parquet"
    table = pa.table(
        {
            "shard": pa.array([shard.index] * len(parts), pa.int64()),
            "chunk": pa.array(range(len(parts)), pa.int64()),
            "items": pa.array([json.dumps(p, ensure_ascii=False) for p in parts], pa.string()),
        }
    )
    pq.write_table(table, path)
    return path
