"""The treatment demo: recommendations and safety issues for demo patients; ACTG 175 policies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from medlm.datasets import load
from medlm.knowledge.treatment import load_trial
from medlm.treatment.demo_patients import DEMO_PATIENTS
from medlm.treatment.fhir import report_bundle
from medlm.treatment.inputs import record_input
from medlm.treatment.policy import evaluate_policies
from medlm.treatment.recommender import TreatmentRecommender

DEMO_DAY = datetime(
    2026, 1, 1, tzinfo=UTC
)  # fixed so the demo output does not change with the calendar


def run_demo(out_dir: Path) -> list[str]:
    """Write reports, FHIR bundles and the policy evaluation under `out_dir/treatment`."""
    folder = out_dir / "treatment"
    folder.mkdir(parents=True, exist_ok=True)
    recommender = TreatmentRecommender()
    lines = ["demo patients: real dataset rows + SYNTHETIC drugs, labs and genotypes"]
    for title, build in DEMO_PATIENTS.items():
        given = record_input(build(), as_of=DEMO_DAY)
        record = given.record
        report = recommender.recommend(record, as_of=DEMO_DAY, unread=given.unread)
        stem = record.patient.id
        (folder / f"{stem}.json").write_text(json.dumps(report.summary(), indent=2))
        (folder / f"{stem}.fhir.json").write_text(json.dumps(report_bundle(report), indent=2))
        lines.append(f"{stem} ({title}):")
        for issue in report.issues[:4]:
            lines.append(f"  {issue.severity.value:8} {issue.kind.value}: {', '.join(issue.drugs)}")
        for rec in report.recommendations[:3]:
            lines.append(f"  -> {rec.action.value} {rec.drug or rec.drug_class}")
        if report.missing:
            lines.append(f"  missing: {report.missing[0]}")
    evaluation = evaluate_policies(load("actg175").frame, load_trial("actg175"), n_bootstrap=500)
    (folder / "actg175_policy.json").write_text(evaluation.model_dump_json(indent=2))
    for name, est in evaluation.arms.items():
        lines.append(f"ACTG 175 arm {name}: {est.value:.0f} ({est.ci_low:.0f}–{est.ci_high:.0f})")
    for p in evaluation.policies:
        lines.append(
            f"ACTG 175 {p.learner} rule: {p.value.value:.0f} "
            f"({p.value.ci_low:.0f}–{p.value.ci_high:.0f})"
        )
    lines.append(evaluation.conclusion)
    lines.append(f"outputs in {folder}")
    return lines
