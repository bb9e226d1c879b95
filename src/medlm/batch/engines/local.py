"""The local engine: chunks run in this process, or on worker processes (no Ray).

A fork-safe job is set up once in the parent before the workers start, so on Linux the forked
workers share its model copy-on-write (as `medlm.text.parallel` does for the text analyzer). A
torch job (`fork_safe = False`: a forked OpenMP pool hangs) runs on spawned workers that each
set it up.
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
    if not job.ready_:  # a spawned worker: load the model here, once
        job.setup()
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
    fork = job.fork_safe and "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1:
        job.setup()
        for shard in shards:
            done(shard, merge([job.process(c, where) for c in chunks(shard, batch_size)]))
        return
    if fork:
        job.setup()
        gc.freeze()  # keep the loaded model out of the workers' GC: fewer copy-on-write pages
    else:  # each spawned worker gets the job unloaded (pickled) and sets it up itself
        logger.info("%s job: spawning %d workers, each loading the model", job.name, workers)
    context = multiprocessing.get_context("fork" if fork else "spawn")
    with context.Pool(workers, _init, (job, where)) as pool:
        for shard in shards:
            done(shard, merge(pool.map(_process, chunks(shard, batch_size), chunksize=1)))
