"""Dataset fixtures: each real dataset is loaded once per test session (they are read-only)."""

from __future__ import annotations

import pytest

from medlm.datasets import Dataset, load


@pytest.fixture(scope="session")
def pima() -> Dataset:
    return load("pima")


@pytest.fixture(scope="session")
def actg175() -> Dataset:
    return load("actg175")


@pytest.fixture(scope="session")
def cdisc_vitals() -> Dataset:
    return load("cdisc-vitals")
