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


def test_demo_store_encrypts_under_its_own_key_without_a_configured_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medlm.datasets.demo import _store
    from medlm.records import ClinicalNote, Patient, PatientRecord

    monkeypatch.delenv("MEDLM_SECURITY__ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("MEDLM_SECURITY__ENCRYPTION_KEY_FILE", raising=False)
    record = PatientRecord(patient=Patient(id="d-1"), notes=[ClinicalNote(text="Pt Ada Quell")])
    db_path, same = _store([record], tmp_path, "demo")
    assert db_path == tmp_path / "demo.sqlite"
    assert same and (tmp_path / "demo-keys.json").is_file()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("demo.sqlite"))
    assert b"enc1:k1:" in raw and b"Ada Quell" not in raw
