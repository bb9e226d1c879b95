"""`manifest.json`: what a batch job was asked to do and which shards are finished.

A re-run with the same job, input and options skips the shards marked done whose part file
exists and redoes the others; a re-run over a changed input or with other options is refused,
since finished shards would no longer match the rest.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from medlm.batch.io import part_name
from medlm.batch.records import BatchOptions, JobName, OutputFormat
from medlm.errors import InputError

MANIFEST = "manifest.json"


class InputFile(BaseModel):
    """The input a job read: a changed size or hash refuses a resume."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    records: int


class ShardState(BaseModel):
    """One shard: which records it covers and whether its output is written."""

    index: int
    first: int = Field(description="Index of its first input record (from 0).")
    count: int
    status: Literal["pending", "done"] = "pending"
    file: str
    records: int = Field(default=0, description="Output records written.")
    rejects: int = 0


class Manifest(BaseModel):
    """A batch job's plan and progress, rewritten whole after every finished shard."""

    job: JobName
    input: InputFile
    options: dict[str, Any]
    shards: list[ShardState]
    created: datetime
    updated: datetime

    @property
    def records(self) -> int:
        return sum(s.records for s in self.shards)

    @property
    def rejects(self) -> int:
        return sum(s.rejects for s in self.shards)


def plan(job: JobName, source: InputFile, options: BatchOptions) -> Manifest:
    """A fresh manifest: every shard pending."""
    size, fmt = options.shard_size, options.output_format
    shards = [
        ShardState(
            index=k,
            first=k * size,
            count=min(size, source.records - k * size),
            file=part_name(k, fmt),
        )
        for k in range(math.ceil(source.records / size))
    ]
    now = datetime.now(UTC)
    return Manifest(
        job=job, input=source, options=options.identity(), shards=shards, created=now, updated=now
    )


def load_or_plan(folder: Path, job: JobName, source: InputFile, options: BatchOptions) -> Manifest:
    """The manifest of `folder` when it is this job's (done shards whose file is gone are
    pending again); a fresh plan when there is none; InputError when it is another job's."""
    path = folder / MANIFEST
    if not path.is_file():
        return plan(job, source, options)
    old = Manifest.model_validate_json(path.read_text("utf-8"))
    _check_same(old, job, source, options, folder)
    for shard in old.shards:
        if shard.status == "done" and not (folder / shard.file).is_file():
            shard.status = "pending"
    return old


def _check_same(
    old: Manifest, job: JobName, source: InputFile, options: BatchOptions, folder: Path
) -> None:
    where = f"batch: {folder} holds"
    advice = "use another --output folder, or delete this one to start again"
    if old.job != job:
        raise InputError(f"{where} a {old.job!r} job, not {job!r}: {advice}")
    if (old.input.size, old.input.sha256) != (source.size, source.sha256):
        raise InputError(
            f"{where} a job over a different input: {old.input.path} was {old.input.size} bytes "
            f"(sha256 {old.input.sha256[:12]}), {source.path} is {source.size} bytes "
            f"(sha256 {source.sha256[:12]}); cannot resume: {advice}"
        )
    new = options.identity()
    changed = sorted(k for k in set(new) | set(old.options) if new.get(k) != old.options.get(k))
    if changed:
        detail = ", ".join(f"{k} was {old.options.get(k)!r}, now {new.get(k)!r}" for k in changed)
        raise InputError(
            f"{where} a job run with other options ({detail}); cannot resume: {advice}"
        )


def save(folder: Path, manifest: Manifest) -> None:
    """Write the manifest whole (temporary file, then rename)."""
    manifest.updated = datetime.now(UTC)
    path = folder / MANIFEST
    tmp = path.with_name(f".{MANIFEST}.tmp")
    tmp.write_text(manifest.model_dump_json(indent=1), "utf-8")
    os.replace(tmp, path)


def output_format(manifest: Manifest) -> OutputFormat:
    fmt: OutputFormat = manifest.options["output_format"]
    return fmt
