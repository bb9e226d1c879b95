"""The local engine: chunks run in this process, or on forked worker processes (no Ray).

The job is set up once in the parent before the workers start, so on Linux the forked workers
share its model copy-on-write (as `medlm.text.parallel` does for the text analyzer).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
from collections.abc import Iterable

from medlm.batch.engines import ShardDone, chunks, merge
from medlm.batch.io import Shard
from medlm.batch.jobs.base import BatchJob
from medlm.batch.records import ChunkResult, Item, Position

logger = logging.getLogger(__name__)

_WORKER: dict[str, object] = {}  # per worker process: its job and the input's position name


def _init(job: BatchJob, where: Position) -> None:
    _WORKER.update(job=job, where=where)


def _process(chunk: list[Item]) -> ChunkResult:
    job, where = _WORKER["job"], _WORKER["where"]
    assert isinstance(job, BatchJob)
    return job.process(chunk, "row" if where == "row" else "line")


def run_local(
    job: BatchJob,
    shards: Iterable[Shard],
    where: Position,
    *,
    batch_size: int,
    workers: int,
    done: ShardDone,
) -> None:
    """Process every shard in order on `workers` processes; `done` after each."""
    job.setup()
    if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
        logger.warning("no 'fork' start method on this platform: running on one process")
        workers = 1
    if workers <= 1:
        for shard in shards:
            done(shard, merge([job.process(c, where) for c in chunks(shard, batch_size)]))
        return
    gc.freeze()  # keep the loaded model out of the workers' GC: fewer copy-on-write pages
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, _init, (job, where)) as pool:
        for shard in shards:
            done(shard, merge(pool.map(_process, chunks(shard, batch_size), chunksize=1)))
