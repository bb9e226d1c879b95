"""The `embed` batch job: a unit-length sentence embedding per text (`medlm.lm.encoding`).

The whole chunk is embedded in one call, so the padding of each batch (and so the last bits of
each vector) is decided by the chunk, which both engines form the same way.
"""

from __future__ import annotations

from typing import ClassVar

import pyarrow as pa

from medlm.batch.jobs.base import BatchJob, missing_text, record_id, text_of
from medlm.batch.records import ChunkResult, Item, Position, Reject
from medlm.lm.encoding import TextEncoder


class EmbedJob(BatchJob):
    """`{"id", "text"}` → `{"id", line|row, "embedding"}`. Options: `model` (default minilm),
    `path`: the precision path every worker runs (`medlm.lm.precision`; the CLI resolves
    `--precision auto` once, before the workers start, so all shards run the same path)."""

    name: ClassVar[str] = "embed"
    fork_safe: ClassVar[bool] = False

    def _load(self) -> None:
        self.encoder_ = TextEncoder.from_pretrained(self.options.get("model", "minilm"))
        self.encoder_.run_on(self.options.get("path", "fp32"))

    def process(self, items: list[Item], where: Position) -> ChunkResult:
        result = ChunkResult()
        kept: list[tuple[int, str | None, str]] = []
        for n, record in items:
            rid = record_id(record)
            text = text_of(record)
            if text is None:
                error = missing_text(record)
                result.rejects.append(Reject.at(where, n, error, id=rid, field="text"))
            else:
                kept.append((n, rid, text))
        vectors = self.encoder_.embed([t for _, _, t in kept], batch_size=len(kept) or 1)
        for (n, rid, _), vector in zip(kept, vectors, strict=True):
            result.outputs.append({"id": rid, where: n, "embedding": vector.tolist()})
        return result

    def columns(self) -> list[tuple[str, pa.DataType]]:
        return [("embedding", pa.list_(pa.float32()))]
