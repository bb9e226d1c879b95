"""The Dataset a loader returns: a pandas frame, its provenance and a record converter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medlm.errors import InputError
from medlm.records import PatientRecord

if TYPE_CHECKING:
    import pandas as pd

    from medlm.datasets.provenance import Provenance


@dataclass(frozen=True)
class Dataset:
    """A loaded dataset.

    `frame` holds the data (values the source marks as "not measured" are already NaN, see
    the provenance caveats); `target` names the outcome column, if any. Patient-level datasets
    convert to `PatientRecord`s with `to_records()`; the target and follow-up columns are never
    put into the records, so models built on records cannot see the label.
    """

    name: str
    frame: pd.DataFrame
    provenance: Provenance
    target: str | None = None
    sampling_rate_hz: float | None = None
    converter: Callable[[pd.DataFrame], list[PatientRecord]] | None = field(
        default=None, repr=False
    )

    @property
    def has_records(self) -> bool:
        """Whether `to_records()` is available for this dataset."""
        return self.converter is not None

    def to_records(self, limit: int | None = None) -> list[PatientRecord]:
        """The dataset as PatientRecords (the first `limit` rows' patients if given)."""
        if self.converter is None:
            raise InputError(f"dataset {self.name!r} is not patient-level; it has no records")
        frame = self.frame if limit is None else self.frame.head(limit)
        return self.converter(frame)

    def __len__(self) -> int:
        return len(self.frame)
