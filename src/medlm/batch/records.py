"""The typed records of a batch job: its options, a rejected record, a chunk's result, a summary.

A chunk is the unit a job processes: up to `batch_size` consecutive input records of one shard,
each with its position (JSONL line or Parquet row, counted from 1). Both engines hand a job the
same chunks, so a job whose output depends on its batch (embeddings pad to the batch's longest
text) still writes the same record for record.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

JobName = Literal["text", "deid", "risk", "embed"]
EngineName = Literal["local", "ray"]
OutputFormat = Literal["parquet", "jsonl"]
Position = Literal["line", "row"]

#: One input record and its position (line or row number from 1): the hot path stays a tuple.
Item = tuple[int, dict[str, Any]]


class BatchOptions(BaseModel):
    """How a job runs. `job_options` and the fields in `identity()` must match to resume."""

    model_config = ConfigDict(extra="forbid")

    engine: EngineName = "local"
    output_format: OutputFormat = "parquet"
    shard_size: int = Field(default=10_000, ge=1, description="Input records per shard.")
    batch_size: int = Field(default=64, ge=1, description="Records per job call (a chunk).")
    concurrency: int = Field(default=2, ge=1, description="Ray actors.")
    workers: int = Field(default=1, ge=1, description="Local processes; Ray's num_cpus.")
    job_options: dict[str, str] = Field(
        default_factory=dict, description="The job's own options (model path, operator...)."
    )

    def identity(self) -> dict[str, Any]:
        """What decides the output: a resumed job must have the same."""
        return {
            "output_format": self.output_format,
            "shard_size": self.shard_size,
            "batch_size": self.batch_size,
            "job_options": dict(sorted(self.job_options.items())),
        }


class Reject(BaseModel):
    """A record that produced no output, and why; the rest of the job goes on."""

    id: str | None = None
    line: int | None = None
    row: int | None = None
    field: str | None = None
    error: str

    @classmethod
    def at(
        cls, where: Position, n: int, error: str, *, id: Any = None, field: str | None = None
    ) -> Reject:
        """A reject at line or row `n`."""
        rid = None if id is None else str(id)
        if where == "line":
            return cls(id=rid, line=n, field=field, error=error)
        return cls(id=rid, row=n, field=field, error=error)


class ChunkResult(BaseModel):
    """What a job made of one chunk: JSON-ready output records and the records it rejected."""

    outputs: list[dict[str, Any]] = Field(default_factory=list)
    rejects: list[Reject] = Field(default_factory=list)


class BatchSummary(BaseModel):
    """The end of a run: what was done now, what an earlier run had done, and the speed."""

    job: JobName
    engine: EngineName
    output: str
    shards: int
    shards_skipped: int = Field(description="Finished by an earlier run and not redone.")
    records: int = Field(description="Output records written by this run.")
    rejects: int = Field(description="Records rejected by this run.")
    seconds: float
    records_per_second: float
