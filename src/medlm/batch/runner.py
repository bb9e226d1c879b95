"""Run a batch job end to end: plan or resume from the manifest, run the pending shards on the
chosen engine, write each shard's outputs and rejects as it completes, and summarise."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from medlm.batch import io
from medlm.batch.engines import ShardDone
from medlm.batch.jobs import BatchJob, make_job
from medlm.batch.manifest import InputFile, Manifest, ShardState, load_or_plan, save
from medlm.batch.records import BatchOptions, BatchSummary, ChunkResult, JobName, Position
from medlm.errors import InputError

logger = logging.getLogger(__name__)


def prepare(job: JobName, source: Path, output: Path, options: BatchOptions) -> Manifest:
    """The manifest this run continues (or starts): refuses another job's output folder."""
    if output.exists() and not output.is_dir():
        raise InputError(f"batch: output {str(output)!r} is a file, not a folder")
    size, mtime_ns, sha256, records = io.fingerprint(source)
    found = InputFile(
        path=str(source), size=size, mtime_ns=mtime_ns, sha256=sha256, records=records
    )
    manifest = load_or_plan(output, job, found, options)
    output.mkdir(parents=True, exist_ok=True)
    save(output, manifest)
    return manifest


def run_batch(
    job_name: JobName,
    source: Path,
    output: Path,
    options: BatchOptions,
    *,
    secret: str = "",
    manifest: Manifest | None = None,
    on_shard: Callable[[ShardState], None] | None = None,
) -> BatchSummary:
    """Run `job_name` over `source` into `output`; finished shards of an earlier run are kept.

    `manifest` is the one `prepare` returned for the same arguments (read again when None).
    """
    manifest = manifest or prepare(job_name, source, output, options)
    pending = {s.index for s in manifest.shards if s.status != "done"}
    where = io.position_of(source)
    written = {"records": 0, "rejects": 0}

    def done(shard: io.Shard, result: ChunkResult) -> None:
        io.write_part(output, shard.index, result.outputs, job, where, options.output_format)
        rejects = sorted([*shard.rejects, *result.rejects], key=lambda r: r.line or r.row or 0)
        io.write_rejects(output, shard.index, rejects)
        state = manifest.shards[shard.index]
        state.status, state.records, state.rejects = "done", len(result.outputs), len(rejects)
        save(output, manifest)
        written["records"] += state.records
        written["rejects"] += state.rejects
        if on_shard is not None:
            on_shard(state)

    job = make_job(job_name, options.job_options, secret)
    started = time.perf_counter()
    if pending:
        shards = io.iter_shards(source, options.shard_size, pending)
        _engine(job_name, job, shards, where, options, secret, done)
    seconds = time.perf_counter() - started
    io.merge_rejects(output, len(manifest.shards))
    skipped = len(manifest.shards) - len(pending)
    logger.info("batch %s: %d shards run, %d skipped", job_name, len(pending), skipped)
    return BatchSummary(
        job=job_name,
        engine=options.engine,
        output=str(output),
        shards=len(manifest.shards),
        shards_skipped=skipped,
        records=written["records"],
        rejects=written["rejects"],
        seconds=round(seconds, 3),
        records_per_second=round(written["records"] / seconds, 1) if seconds > 0 else 0.0,
    )


def _engine(
    job_name: JobName,
    job: BatchJob,
    shards: Iterator[io.Shard],
    where: Position,
    options: BatchOptions,
    secret: str,
    done: ShardDone,
) -> None:
    if options.engine == "ray":
        from medlm.batch.engines.ray_engine import run_ray

        run_ray(job_name, shards, where, options=options, secret=secret, done=done)
        return
    from medlm.batch.engines.local import run_local

    run_local(job, shards, where, batch_size=options.batch_size, workers=options.workers, done=done)
