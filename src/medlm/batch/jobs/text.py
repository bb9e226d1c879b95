"""The `text` batch job: entities and sections of each document, through `medlm.text.batch`."""

from __future__ import annotations

import json
import logging
from typing import ClassVar

import pyarrow as pa

from medlm.batch.jobs.base import BatchJob, record_id, text_of
from medlm.batch.records import ChunkResult, Item, Position, Reject
from medlm.text.analyzer import MedicalTextAnalyzer
from medlm.text.batch import ExtractError, process_lines

logger = logging.getLogger(__name__)

#: The request fields `medlm.text.batch.ExtractRequest` reads; other input columns are ignored.
_REQUEST_FIELDS = ("text", "targets")


class TextJob(BatchJob):
    """`{"id", "text", "targets"?}` → `{"id", line|row, "entities", "sections"}`."""

    name: ClassVar[str] = "text"
    json_columns: ClassVar[tuple[str, ...]] = ("entities", "sections")

    def _load(self) -> None:
        self.analyzer_ = MedicalTextAnalyzer()
        self.analyzer_.warm_up()

    def process(self, items: list[Item], where: Position) -> ChunkResult:
        result = ChunkResult()
        for n, record in items:
            rid = record_id(record)
            request = {"id": rid, **{k: record[k] for k in _REQUEST_FIELDS if k in record}}
            try:
                out = next(process_lines([json.dumps(request)], self.analyzer_, first_line=n))
            except Exception as exc:  # one record's failure never stops the job
                logger.warning(
                    "line or row %d: unexpected %s in text analysis", n, type(exc).__name__
                )
                error = f"unexpected {type(exc).__name__} in text analysis: {exc}"
                result.rejects.append(Reject.at(where, n, error, id=rid))
                continue
            if isinstance(out, ExtractError):
                field = "text" if text_of(record) is None else None
                result.rejects.append(Reject.at(where, n, out.error, id=rid, field=field))
                continue
            body = out.model_dump(mode="json", exclude={"id"})
            result.outputs.append({"id": rid, where: n, **body})
        return result

    def columns(self) -> list[tuple[str, pa.DataType]]:
        return [("entities", pa.string()), ("sections", pa.string())]
