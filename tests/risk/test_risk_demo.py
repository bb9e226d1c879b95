"""The risk demo writes the model, the report and FHIR RiskAssessments from a bundle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medlm.risk.demo import run_demo


@pytest.mark.slow
def test_demo_trains_predicts_from_a_bundle_and_writes_the_report(tmp_path: Path) -> None:
    lines = run_demo(tmp_path)
    out = tmp_path / "risk"
    assert (out / "report" / "report.html").is_file()
    assert (out / "model" / "model.json").is_file()
    assessments = json.loads((out / "risk-assessments.json").read_text())
    assert len(assessments) == 5 and assessments[0]["resourceType"] == "RiskAssessment"
    assert lines[0].startswith("trained logistic regression on 537 Pima rows")
    assert any("findrisc" in line for line in lines)
