"""Fixtures for risk tests: the real Pima rows as a CSV with zeros, as in the source file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from medlm.datasets import load

ZERO_CODED = ("Glucose", "BloodPressure", "SkinThickness", "Insulin", "BMI")


@pytest.fixture(scope="session")
def pima_frame() -> pd.DataFrame:
    """Pima as its source CSV has it: 0 where a value was not measured."""
    frame = load("pima").frame.copy()
    for column in ZERO_CODED:
        frame[column] = frame[column].fillna(0.0)
    return frame


@pytest.fixture
def pima_csv(tmp_path: Path, pima_frame: pd.DataFrame) -> Path:
    path = tmp_path / "pima.csv"
    pima_frame.to_csv(path, index=False)
    return path
