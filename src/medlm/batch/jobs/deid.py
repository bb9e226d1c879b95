"""The `deid` batch job: PHI found and replaced in each text (`medlm.privacy.deidentify`)."""

from __future__ import annotations

import logging
from typing import ClassVar

import pyarrow as pa

from medlm.batch.jobs.base import BatchJob, missing_text, record_id, text_of
from medlm.batch.records import ChunkResult, Item, Position, Reject
from medlm.errors import InputError
from medlm.privacy import Operator, OperatorConfig, deidentify
from medlm.privacy.detector import PhiDetector

logger = logging.getLogger(__name__)


class DeidJob(BatchJob):
    """`{"id", "text", "patient_id"?}` → `{"id", line|row, "text", "spans", "unshifted_dates"}`.

    Options: `operator` (placeholder, redact, mask, surrogate), `shift_dates` ("true"/"false"),
    `ner` (the `security.deid_ner` setting: auto, on, off). Surrogates and date shifts are
    scoped by the record's `patient_id` (default "default") and keyed by the secret
    (`security.deid_secret`; OperatorConfig's default when none is given).
    """

    name: ClassVar[str] = "deid"
    json_columns: ClassVar[tuple[str, ...]] = ("spans",)

    def _load(self) -> None:
        operator = self.options.get("operator", "placeholder")
        choices = sorted(op.value for op in Operator)
        if operator not in choices:
            raise InputError(f"deid: operator {operator!r} is not one of {choices}")
        self.operator_ = Operator(operator)
        self.shift_dates_ = self.options.get("shift_dates", "false") == "true"
        self.detector_ = PhiDetector.from_setting(self.options.get("ner", "auto"))

    def process(self, items: list[Item], where: Position) -> ChunkResult:
        result = ChunkResult()
        for n, record in items:
            rid = record_id(record)
            text = text_of(record)
            if text is None:
                error = missing_text(record)
                result.rejects.append(Reject.at(where, n, error, id=rid, field="text"))
                continue
            config = OperatorConfig(
                operator=self.operator_,
                patient_id=str(record.get("patient_id") or "default"),
                shift_dates=self.shift_dates_,
                **({"secret": self.secret} if self.secret else {}),
            )
            try:
                done = deidentify(text, config, self.detector_)
            except Exception as exc:  # one record's failure never stops the job
                logger.warning(
                    "line or row %d: unexpected %s in de-identification", n, type(exc).__name__
                )
                error = f"unexpected {type(exc).__name__} in de-identification: {exc}"
                result.rejects.append(Reject.at(where, n, error, id=rid))
                continue
            result.outputs.append(
                {
                    "id": rid,
                    where: n,
                    "text": done.text,
                    "spans": [s.model_dump(mode="json") for s in done.spans],
                    "unshifted_dates": done.unshifted_dates,
                }
            )
        return result

    def columns(self) -> list[tuple[str, pa.DataType]]:
        return [("text", pa.string()), ("spans", pa.string()), ("unshifted_dates", pa.int64())]
