"""Fixtures for the text-analysis tests: one analyzer with the packaged dictionaries per run."""

from __future__ import annotations

import pytest

from medlm.text import MedicalTextAnalyzer


@pytest.fixture(scope="session")
def analyzer() -> MedicalTextAnalyzer:
    """The full pipeline; the dictionaries load once (a few seconds) and are shared."""
    return MedicalTextAnalyzer().warm_up()


@pytest.fixture
def targets_only() -> MedicalTextAnalyzer:
    """The pipeline without packaged dictionaries: only caller targets and measurements."""
    return MedicalTextAnalyzer(packaged=False)
