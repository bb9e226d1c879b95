"""NEWS2 as a FHIR R4 Observation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from medlm.errors import ValidationError
from medlm.knowledge.early_warning import load_news2
from medlm.monitor.fhir import news2_observation
from medlm.monitor.stream import VitalSignMonitor
from medlm.monitor.vitals import VitalSigns

FULL = {
    "respiratory_rate": 22, "spo2": 95, "on_oxygen": False, "systolic_bp": 105,
    "heart_rate": 112, "consciousness": "A", "temperature_c": 38.4,
}  # fmt: skip


def test_complete_news2_becomes_a_snomed_coded_observation() -> None:
    vitals = VitalSigns(patient_id="p1", time=datetime(2026, 1, 1, 8, tzinfo=UTC), **FULL)
    assessment, _ = VitalSignMonitor().ingest(vitals)
    resource = news2_observation(assessment, load_news2(), derived_from=("Observation/rr",))
    assert resource["valueInteger"] == 7
    assert resource["code"]["coding"][0]["code"] == "1104051000000101"
    assert resource["derivedFrom"] == [{"reference": "Observation/rr"}]


def test_partial_news2_is_not_exported() -> None:
    vitals = VitalSigns(patient_id="p1", time=datetime(2026, 1, 1, 8, tzinfo=UTC), heart_rate=90)
    assessment, _ = VitalSignMonitor().ingest(vitals)
    with pytest.raises(ValidationError, match="partial"):
        news2_observation(assessment, load_news2())
