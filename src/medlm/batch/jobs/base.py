"""The contract every batch job keeps: load once in `setup()`, then map chunks to results.

A job never fails a chunk for one bad record: a record that cannot be processed becomes a
`Reject` naming its id, position, field and error. Output records are plain JSON values (the
writer stores the columns named in `json_columns` as JSON text in Parquet).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import pyarrow as pa

from medlm.batch.records import ChunkResult, Item, Position


class BatchJob(ABC):
    """One kind of batch work. `__init__` only stores options; `setup()` loads the model."""

    name: ClassVar[str]
    #: Output columns whose values are nested (lists of objects): JSON text in Parquet.
    json_columns: ClassVar[tuple[str, ...]] = ()
    #: False for jobs whose model runs torch: its OpenMP thread pool does not survive a fork, so
    #: local workers are spawned and set the job up themselves.
    fork_safe: ClassVar[bool] = True

    def __init__(self, options: dict[str, str], secret: str = "") -> None:
        self.options = dict(options)
        self.secret = secret
        self.ready_ = False

    def setup(self) -> None:
        """Load the model and whatever else the job needs; called once per process or actor."""
        if not self.ready_:
            self._load()
            self.ready_ = True

    @abstractmethod
    def _load(self) -> None: ...

    @abstractmethod
    def process(self, items: list[Item], where: Position) -> ChunkResult:
        """Output records and rejects of one chunk, in input order."""

    @abstractmethod
    def columns(self) -> list[tuple[str, pa.DataType]]:
        """The job's own output columns after `id` and the position column, with types."""

    def schema(self, where: Position) -> pa.Schema:
        """The Parquet schema of the output: id, line or row, then the job's columns."""
        return pa.schema([("id", pa.string()), (where, pa.int64()), *self.columns()])


def record_id(record: dict[str, Any]) -> str | None:
    """The record's `id` as text (Parquet ids may be integers), or None."""
    value = record.get("id")
    return None if value is None else str(value)


def text_of(record: dict[str, Any]) -> str | None:
    """The record's `text` when it is a non-empty string, else None (the caller rejects)."""
    text = record.get("text")
    return text if isinstance(text, str) and text.strip() else None


def missing_text(record: dict[str, Any]) -> str:
    """Why a record's text is unusable, for its reject."""
    text = record.get("text")
    if text is None:
        return "no 'text' field"
    if not isinstance(text, str):
        return f"'text' is a {type(text).__name__}, not a string"
    return "'text' is empty"
