"""Batch jobs (text, de-identification, risk, embeddings) over JSONL or Parquet, on a local
engine or on Ray Data: sharded outputs, a manifest that lets an interrupted job resume, and
per-record rejects that never stop the job."""

from medlm.batch.records import BatchOptions, BatchSummary, Reject
from medlm.batch.runner import run_batch

__all__ = ["BatchOptions", "BatchSummary", "Reject", "run_batch"]
