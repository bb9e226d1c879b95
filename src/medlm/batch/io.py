"""Input read in shards (JSONL or Parquet, bounded memory) and outputs written per shard.

Input records are numbered from 0 in file order (blank JSONL lines are not records) and shard
`k` holds records `k * shard_size` up to the next shard. A JSONL line that is not UTF-8, not
JSON or not an object is a reject of its shard. Each shard's output (`part-00000.parquet` or
`.jsonl`) and its rejects (`rejects/part-00000.jsonl`) are written under a temporary name and
renamed when complete, so a file that exists is whole.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from medlm.batch.jobs.base import BatchJob
from medlm.batch.records import Item, OutputFormat, Position, Reject
from medlm.errors import InputError

REJECTS_DIR = "rejects"
_READ_ROWS = 4_096  # Parquet rows read at once


@dataclass(frozen=True)
class Shard:
    """One shard of input: its number, its readable records and its unreadable lines."""

    index: int
    items: list[Item] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.items) + len(self.rejects)


def position_of(path: Path) -> Position:
    """Parquet input numbers rows; anything else is JSON lines."""
    return "row" if path.suffix.lower() == ".parquet" else "line"


def fingerprint(path: Path) -> tuple[int, int, str, int]:
    """Size, mtime (ns), SHA-256 and number of records of the input file."""
    if not path.is_file():
        raise InputError(f"batch: input {str(path)!r} is not a file")
    stat = path.stat()
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return stat.st_size, stat.st_mtime_ns, digest.hexdigest(), count_records(path)


def count_records(path: Path) -> int:
    if position_of(path) == "row":
        return int(_parquet(path).metadata.num_rows)
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def iter_shards(path: Path, shard_size: int, wanted: set[int]) -> Iterator[Shard]:
    """The shards in `wanted`, in order; the others are read past without parsing."""
    records: Iterator[tuple[int, Item | Reject]] = (
        _iter_rows(path, wanted, shard_size)
        if position_of(path) == "row"
        else _iter_lines(path, wanted, shard_size)
    )
    current: Shard | None = None
    for index, entry in records:
        shard_index = index // shard_size
        if current is None or current.index != shard_index:
            if current is not None:
                yield current
            current = Shard(shard_index)
        if isinstance(entry, Reject):
            current.rejects.append(entry)
        else:
            current.items.append(entry)
    if current is not None:
        yield current


def _iter_lines(
    path: Path, wanted: set[int], shard_size: int
) -> Iterator[tuple[int, Item | Reject]]:
    index = 0
    with path.open("rb") as f:
        for n, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            if index // shard_size in wanted:
                yield index, parse_line(raw, n)
            index += 1


def parse_line(raw: bytes, n: int) -> Item | Reject:
    """One JSONL line as a record, or the reject that says why it is not one."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Reject(line=n, error=f"line {n} is not UTF-8 text (byte {exc.start})")
    except ValueError as exc:
        return Reject(line=n, error=f"line {n} is not JSON: {exc}")
    if not isinstance(value, dict):
        return Reject(line=n, error=f"line {n} is a JSON {type(value).__name__}, not an object")
    return n, value


def _parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"batch: input {str(path)!r} is not a Parquet file: {exc}") from exc


def _iter_rows(
    path: Path, wanted: set[int], shard_size: int
) -> Iterator[tuple[int, Item | Reject]]:
    index = 0
    for batch in _parquet(path).iter_batches(batch_size=_READ_ROWS):
        first, last = index // shard_size, (index + batch.num_rows - 1) // shard_size
        if wanted.isdisjoint(range(first, last + 1)):
            index += batch.num_rows
            continue
        for record in batch.to_pylist():
            if index // shard_size in wanted:  # JSON values only, as a JSONL record would hold
                yield index, (index + 1, json.loads(json.dumps(record, default=str)))
            index += 1


def part_name(index: int, output_format: OutputFormat) -> str:
    return f"part-{index:05d}.{output_format}"


def write_part(
    folder: Path,
    index: int,
    outputs: list[dict[str, Any]],
    job: BatchJob,
    where: Position,
    output_format: OutputFormat,
) -> Path:
    """Write one shard's outputs whole (temporary name, then rename); returns the file."""
    path = folder / part_name(index, output_format)
    tmp = path.with_name(f".{path.name}.tmp")
    if output_format == "jsonl":
        with tmp.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(o, ensure_ascii=False) + "\n" for o in outputs)
    else:
        rows = [_flat(o, job.json_columns) for o in outputs]
        pq.write_table(pa.Table.from_pylist(rows, schema=job.schema(where)), tmp)
    os.replace(tmp, path)
    return path


def _flat(output: dict[str, Any], json_columns: tuple[str, ...]) -> dict[str, Any]:
    return {
        k: json.dumps(v, ensure_ascii=False) if k in json_columns else v for k, v in output.items()
    }


def write_rejects(folder: Path, index: int, rejects: list[Reject]) -> None:
    """Write one shard's rejects whole (an empty file when it has none)."""
    target = folder / REJECTS_DIR
    target.mkdir(exist_ok=True)
    path = target / f"part-{index:05d}.jsonl"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("".join(r.model_dump_json(exclude_none=True) + "\n" for r in rejects), "utf-8")
    os.replace(tmp, path)


def merge_rejects(folder: Path, shards: int) -> Path:
    """All shards' rejects in shard order as `rejects.jsonl`."""
    path = folder / "rejects.jsonl"
    tmp = path.with_name(".rejects.jsonl.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for index in range(shards):
            part = folder / REJECTS_DIR / f"part-{index:05d}.jsonl"
            if part.is_file():
                out.write(part.read_text("utf-8"))
    os.replace(tmp, path)
    return path


def read_outputs(folder: Path, json_columns: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every output record of a finished job, in shard order (JSON columns decoded)."""
    records: list[dict[str, Any]] = []
    for path in sorted(folder.glob("part-*.*")):
        if path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as f:
                records.extend(json.loads(line) for line in f)
        elif path.suffix == ".parquet":
            for row in pq.read_table(path).to_pylist():
                records.append({k: _decoded(k, v, json_columns) for k, v in row.items()})
    return records


def _decoded(key: str, value: Any, json_columns: tuple[str, ...]) -> Any:
    return json.loads(value) if key in json_columns and isinstance(value, str) else value
