"""Export a loaded dataset to a folder: its frame as CSV, or its records as a FHIR R4 bundle."""

from __future__ import annotations

import importlib
import json
import logging
from enum import StrEnum
from pathlib import Path
from typing import Any

from medlm.datasets.dataset import Dataset
from medlm.datasets.provenance import DatasetInfo
from medlm.errors import InputError
from medlm.records import PatientRecord

logger = logging.getLogger(__name__)


class ExportFormat(StrEnum):
    FHIR = "fhir"
    CSV = "csv"


def export_path(name: str, fmt: ExportFormat, out_dir: Path) -> Path:
    """Where an export of dataset `name` goes: `<out_dir>/<name>.json` or `.csv`."""
    suffix = ".json" if fmt is ExportFormat.FHIR else ".csv"
    return out_dir / f"{name}{suffix}"


def bundle_json(records: list[PatientRecord]) -> str:
    """Records as FHIR R4 bundle JSON, written by `medlm.records.fhir.to_bundle`."""
    try:
        fhir = importlib.import_module("medlm.records.fhir")
    except ImportError as exc:
        raise InputError("FHIR export needs medlm.records.fhir, which is not available") from exc
    bundle: Any = fhir.to_bundle(records)
    if isinstance(bundle, str):
        return bundle
    if hasattr(bundle, "model_dump_json"):
        return str(bundle.model_dump_json(exclude_none=True))
    return json.dumps(bundle)


def check_exportable(info: DatasetInfo, fmt: ExportFormat) -> None:
    """Refuse, before any loading, an export the dataset cannot give."""
    if fmt is ExportFormat.FHIR and not info.has_records:
        raise InputError(
            f"dataset {info.name!r} is not patient-level, so it has no FHIR export; "
            "use --format csv"
        )


def export_dataset(dataset: Dataset, fmt: ExportFormat, out_dir: Path) -> Path:
    """Write `dataset` to `out_dir` (created if missing) and return the file's path."""
    check_exportable(dataset.provenance, fmt)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = export_path(dataset.name, fmt, out_dir)
    if fmt is ExportFormat.CSV:
        dataset.frame.to_csv(path, index=False)
    else:
        path.write_text(bundle_json(dataset.to_records()), encoding="utf-8")
    logger.info("exported dataset %s as %s to %s", dataset.name, fmt.value, path)
    return path
