"""Lipids on concepts: an LDL that is present is never reported missing; a statin dose written
in the medication name is read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medlm.treatment import TreatmentRecommender

AS_OF = datetime(2026, 1, 1)


def test_present_ldl_is_not_reported_missing_when_only_the_risk_is_absent(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    report = recommender.recommend(make_record(age=55, ldl=130), AS_OF)
    assert "10-year ASCVD risk not available: primary-prevention statin group unknown" in (
        report.missing
    )
    assert not any(m.startswith("LDL") for m in report.missing)


def test_simvastatin_dose_in_the_name_is_read_not_reported_missing(
    recommender: TreatmentRecommender, make_record: Any
) -> None:
    record = make_record(age=65, conditions=("I25.10",), meds=("simvastatin 20 MG Oral Tablet",))
    report = recommender.recommend(record, AS_OF)
    assert not any("dose not recorded" in m for m in report.missing)
    [adjust] = [r for r in report.recommendations if r.rule_id == "acc-aha-2018-statin-intensity"]
    assert "at least 20 mg (strength in the name" in adjust.rationale
    assert "is moderate intensity" in adjust.rationale
