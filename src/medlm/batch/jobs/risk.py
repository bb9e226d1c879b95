"""The `risk` batch job: a RiskScore per row of model inputs (`DiseaseRiskPredictor.predict`).

Each record holds the saved model's input columns (missing or null values are imputed as in
training) and an `id`. A value that is not a number is rejected by field; a value the model
refuses (`check_magnitudes`) is found by scoring the chunk row by row when the chunk fails, so
one bad row never costs the others their scores. A row's probability can differ in its last
bits with the rows scored beside it (vectorised arithmetic), so both engines form the same chunks.
A score's `created` time is left out (the manifest records when the job ran), so a record's
output is the same whenever and wherever it is computed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pyarrow as pa

from medlm.batch.jobs.base import BatchJob, record_id
from medlm.batch.records import ChunkResult, Item, Position, Reject
from medlm.errors import InputError, MedlmError
from medlm.risk.estimator import DiseaseRiskPredictor
from medlm.risk.result import RiskScore


class RiskJob(BatchJob):
    """`{"id", <model columns>}` → `{"id", line|row, "probability", "tier", "score"}`.

    Options: `model` (a folder written by `medlm risk train`, required) and
    `low_confidence_missing_share` (the `risk` setting of that name).
    """

    name: ClassVar[str] = "risk"
    json_columns: ClassVar[tuple[str, ...]] = ("score",)

    def _load(self) -> None:
        folder = self.options.get("model")
        if not folder:
            raise InputError("risk: a batch risk job needs a model folder (--model)")
        if not Path(folder).is_dir():
            raise InputError(f"risk: model folder {folder!r} does not exist")
        self.model_ = DiseaseRiskPredictor.load(Path(folder))
        share = self.options.get("low_confidence_missing_share")
        if share is not None:
            self.model_.low_confidence_missing_share = float(share)
        self.features_: list[str] = list(self.model_.feature_names_in_)

    def process(self, items: list[Item], where: Position) -> ChunkResult:
        result = ChunkResult()
        rows: list[tuple[int, str | None, list[float]]] = []
        for n, record in items:
            rid = record_id(record)
            try:
                rows.append((n, rid, self._values(record)))
            except _BadValue as bad:
                result.rejects.append(Reject.at(where, n, bad.error, id=rid, field=bad.field))
        try:
            scores: list[RiskScore | MedlmError] = list(self._score(rows))
        except MedlmError:
            scores = [self._score_one(row) for row in rows]
        for (n, rid, _), score in zip(rows, scores, strict=True):
            if isinstance(score, MedlmError):
                result.rejects.append(Reject.at(where, n, str(score), id=rid))
                continue
            body = score.model_dump(mode="json", exclude={"created"})  # manifest says when
            tier = body["tier"]
            result.outputs.append(
                {"id": rid, where: n, "probability": score.probability, "tier": tier, "score": body}
            )
        return result

    def columns(self) -> list[tuple[str, pa.DataType]]:
        return [("probability", pa.float64()), ("tier", pa.string()), ("score", pa.string())]

    def _values(self, record: dict[str, Any]) -> list[float]:
        values = []
        for column in self.features_:
            value = record.get(column)
            if value is None:
                values.append(math.nan)
            elif isinstance(value, bool) or not isinstance(value, int | float):
                raise _BadValue(column, f"{column} = {value!r} is not a number")
            else:
                values.append(float(value))
        return values

    def _score(self, rows: list[tuple[int, str | None, list[float]]]) -> list[RiskScore]:
        if not rows:
            return []
        frame = pd.DataFrame([v for _, _, v in rows], columns=self.features_, dtype=float)
        ids = [rid if rid is not None else f"line-{n}" for n, rid, _ in rows]
        return self.model_.predict(frame, ids=ids)

    def _score_one(self, row: tuple[int, str | None, list[float]]) -> RiskScore | MedlmError:
        try:
            return self._score([row])[0]
        except MedlmError as exc:
            return exc


class _BadValue(Exception):
    def __init__(self, field: str, error: str) -> None:
        super().__init__(error)
        self.field = field
        self.error = error
