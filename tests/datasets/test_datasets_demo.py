"""The datasets demo: real datasets, a FHIR round trip of a real cohort, and storage."""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path

import pytest

from medlm.datasets.demo import run_demo
from medlm.datasets.registry import list_datasets

HAS_FHIR = importlib.util.find_spec("medlm.records.fhir") is not None


@pytest.mark.slow
@pytest.mark.skipif(not HAS_FHIR, reason="medlm.records.fhir is not in this tree yet")
def test_demo_round_trips_a_real_cohort_and_summarises_in_under_a_minute(
    tmp_path: Path,
) -> None:
    started = time.perf_counter()
    lines = run_demo(tmp_path)
    assert time.perf_counter() - started < 60
    text = "\n".join(lines)
    for name in list_datasets():
        assert f"{name}:" in text
    assert "0 rejected" in text
    same = re.search(r"round trip: (\d+) of (\d+) patients identical", text)
    assert same is not None and same.group(1) == same.group(2)
    assert "reads back unchanged" in text
    assert (tmp_path / "datasets" / "demo-cohort.json").is_file()
    assert (tmp_path / "datasets" / "demo.sqlite").is_file()
