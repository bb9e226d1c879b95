"""Where a batch job's chunks run: `local` (this process or forked workers) or `ray` (Ray Data)."""

from __future__ import annotations

from collections.abc import Callable

from medlm.batch.io import Shard
from medlm.batch.records import ChunkResult, Item

#: Called by an engine with each shard and the merged result of its chunks, once per shard.
ShardDone = Callable[[Shard, ChunkResult], None]


def chunks(shard: Shard, batch_size: int) -> list[list[Item]]:
    """The shard's records cut into job calls of `batch_size` (the same on every engine)."""
    return [shard.items[i : i + batch_size] for i in range(0, len(shard.items), batch_size)]


def merge(results: list[ChunkResult]) -> ChunkResult:
    """The chunks' outputs and rejects, in chunk order."""
    merged = ChunkResult()
    for result in results:
        merged.outputs.extend(result.outputs)
        merged.rejects.extend(result.rejects)
    return merged
