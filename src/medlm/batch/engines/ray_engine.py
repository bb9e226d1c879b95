"""The Ray engine: Ray Data `from_arrow` over the pending shards, `map_batches` with a class UDF.

Each pending shard becomes one Arrow table and so one Ray block (one row per chunk of
`batch_size` records, the same chunks the local engine makes); blocks are spread over
`concurrency` actors of `ChunkMapper`, which sets its job up once per actor, on a Ray started
with `num_cpus=workers` (or the Ray already running in this process, which is then left
running). Results come back as they finish; a shard is written as soon as all of its chunks
are in, so an interrupted job keeps every shard already written. The pending chunks sit in
Ray's object store (spilled to disk when it fills).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from medlm.batch.engines import ShardDone, chunks, merge
from medlm.batch.io import Shard
from medlm.batch.jobs import make_job
from medlm.batch.records import BatchOptions, ChunkResult, Position
from medlm.errors import ConfigError

logger = logging.getLogger(__name__)


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
    done: ShardDone,
) -> None:
    """Process every shard on Ray Data; `done` for each shard as it completes."""
    ray = import_ray()
    started = not ray.is_initialized()
    if started:
        ray.init(
            num_cpus=options.workers,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    context = ray.data.DataContext.get_current()
    bars = context.enable_progress_bars
    context.enable_progress_bars = False  # the CLI draws its own
    try:
        _run(ray, job, shards, where, options, secret, done)
    finally:
        context.enable_progress_bars = bars
        if started:
            ray.shutdown()


def _run(
    ray: Any,
    job: str,
    shards: Iterable[Shard],
    where: Position,
    options: BatchOptions,
    secret: str,
    done: ShardDone,
) -> None:
    tables: list[pa.Table] = []
    waiting: dict[int, tuple[Shard, int]] = {}
    for shard in shards:
        parts = chunks(shard, options.batch_size)
        if not parts:  # nothing readable in it: only its unreadable lines to write
            done(shard, ChunkResult())
            continue
        tables.append(_table(shard, parts))
        waiting[shard.index] = (shard, len(parts))
    if not tables:
        return
    total = float(ray.cluster_resources().get("CPU", 1.0))
    mapped = ray.data.from_arrow(tables).map_batches(
        ChunkMapper,
        fn_constructor_kwargs={
            "job": job,
            "options": options.job_options,
            "secret": secret,
            "where": where,
        },
        batch_size=1,  # one row is one chunk of options.batch_size records
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=min(options.concurrency, len(tables))),
        num_cpus=min(1.0, total / options.concurrency),
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


def _table(shard: Shard, parts: list[list[Any]]) -> pa.Table:
    return pa.table(
        {
            "shard": pa.array([shard.index] * len(parts), pa.int64()),
            "chunk": pa.array(range(len(parts)), pa.int64()),
            "items": pa.array([json.dumps(p, ensure_ascii=False) for p in parts], pa.string()),
        }
    )
