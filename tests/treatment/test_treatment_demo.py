"""The treatment demo: real rows plus labelled synthetic drug lists, and the ACTG 175 evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medlm.treatment import TreatmentRecommender
from medlm.treatment.demo import DEMO_DAY, run_demo
from medlm.treatment.demo_patients import DEMO_PATIENTS
from medlm.treatment.inputs import record_input


def test_demo_patients_are_real_rows_with_synthetic_additions_labelled() -> None:
    for build in DEMO_PATIENTS.values():
        record = build()
        added: list[Any] = [
            *record.medication_statements,
            *record.medication_requests,
            *record.conditions,
            *record.pharmacogenomics,
            *record.allergies,
        ]
        assert added and all((a.id or "").startswith("synthetic-") for a in added)
        assert any(not (o.id or "").startswith("synthetic-") for o in record.observations)


def test_each_demo_patient_shows_a_high_severity_issue(recommender: TreatmentRecommender) -> None:
    for build in DEMO_PATIENTS.values():
        given = record_input(build(), as_of=DEMO_DAY)
        report = recommender.recommend(given.record, as_of=DEMO_DAY, unread=given.unread)
        assert any(i.severity.value == "high" for i in report.issues), report.patient_id


@pytest.mark.slow
def test_run_demo_writes_reports_and_policy_evaluation(tmp_path: Path) -> None:
    lines = run_demo(tmp_path)
    folder = tmp_path / "treatment"
    policy = json.loads((folder / "actg175_policy.json").read_text())
    assert policy["n_patients"] == 2139 and len(policy["policies"]) == 2
    assert len(list(folder.glob("*.fhir.json"))) == len(DEMO_PATIENTS)
    assert any("SYNTHETIC" in line for line in lines)
    assert any(line.startswith("ACTG 175 DR-learner rule") for line in lines)
