"""Dataset export: CSV of the frame, FHIR bundle of the records, and refused combinations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from medlm.datasets import Dataset, load
from medlm.datasets.export import ExportFormat, export_dataset
from medlm.errors import InputError


def test_csv_export_writes_the_frame_with_missing_values_empty(
    pima: Dataset, tmp_path: Path
) -> None:
    path = export_dataset(pima, ExportFormat.CSV, tmp_path / "out")
    assert path == tmp_path / "out" / "pima.csv"
    back = pd.read_csv(path)
    assert back.shape == (768, 9)
    assert int(back["Insulin"].isna().sum()) == 374


def test_fhir_export_of_a_signal_dataset_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not patient-level"):
        export_dataset(load("mitbih-ecg", limit=5), ExportFormat.FHIR, tmp_path)


@pytest.mark.parametrize(
    "name", ["pima", "actg175", "cdisc-vitals", "uci-heart", "framingham", "heart-failure"]
)
def test_fhir_export_of_real_rows_reads_back_without_rejections(name: str, tmp_path: Path) -> None:
    from medlm.records.fhir import read_bundle

    dataset = load(name, limit=1500 if name == "cdisc-vitals" else 150)
    path = export_dataset(dataset, ExportFormat.FHIR, tmp_path)
    assert path.name == f"{name}.json"
    report = read_bundle(path)
    assert report.rejection_count == 0, [r.line() for r in report.rejections[:3]]
    assert report.patients == len(dataset.to_records())
