"""The risk demo: train the default diabetes model on Pima, predict from a FHIR bundle, report.

Pima is split 70/30 (stratified, fixed seed); the model is fitted on the 70%, evaluated on
the 30% with the clinical scores beside it, and a few held-out women, written as a FHIR
Bundle and read back, get a probability, tier, reasons and a RiskAssessment.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from medlm.evaluation.report import Report, write_report
from medlm.risk.batch import predict_batch
from medlm.risk.data import from_dataset
from medlm.risk.inputs import patients_from_document
from medlm.risk.population import population_for
from medlm.risk.result import RiskScore
from medlm.risk.study import (
    baselines_for,
    comparison_notes,
    evaluate_model,
    importance,
    missing_counts,
)
from medlm.risk.training import make_predictor
from medlm.settings import RiskSettings

logger = logging.getLogger(__name__)

DEMO_PATIENTS = 5
SEED = 7


def _score_line(score: RiskScore) -> str:
    reasons = "; ".join(r.text for r in score.reasons)
    if score.tier is None:
        why = "; ".join(score.population.reasons) if score.population else "no tier"
        return f"  {score.patient_id}: outside the model's population ({why})"
    return f"  {score.patient_id}: {score.probability:.2f} {score.tier.value} ({reasons})"


def run_demo(out_dir: Path) -> list[str]:
    """Train, evaluate and predict; returns summary lines for `medlm demo`."""
    from medlm.datasets import load
    from medlm.records.fhir import to_bundle

    out = out_dir / "risk"
    out.mkdir(parents=True, exist_ok=True)
    settings = RiskSettings()
    data = from_dataset("pima")
    assert data.target is not None
    train_idx, test_idx = train_test_split(
        np.arange(len(data)), test_size=0.3, stratify=data.target, random_state=SEED
    )
    train_mask = np.isin(np.arange(len(data)), train_idx)
    train, test = data.subset(train_mask), data.subset(~train_mask)
    model = make_predictor(
        "logreg",
        settings,
        name="pima-diabetes",
        outcome=data.outcome or "outcome",
        population=population_for("pima"),
    ).fit(train.features, train.target)  # type: ignore[arg-type]
    model.save(out / "model")
    metrics, p = evaluate_model(model, test, n_boot=500)
    baselines = baselines_for(test, list(test.features.columns), n_boot=500)
    report = Report(
        title="Pima diabetes model: held-out validation (30% of rows, seed 7)",
        data=f"Pima Indians diabetes, {len(train)} training and {len(test)} held-out rows",
        results=[metrics],
        baselines=baselines,
        importance={metrics.model: importance(model, test)[0]},
        missing=missing_counts(model, test),
        notes=comparison_notes(metrics, baselines),
    )
    write_report(report, out / "report", curves={metrics.model: (test.target, p)})  # type: ignore[dict-item]

    held_out = sorted(int(i) for i in test_idx)[:DEMO_PATIENTS]
    records = load("pima").to_records()
    bundle = to_bundle([records[i] for i in held_out])
    (out / "demo-patients.json").write_text(json.dumps(bundle, indent=1), encoding="utf-8")
    batch = predict_batch(model, patients_from_document(bundle, source="demo-patients.json"))
    scores, rejected = batch.scores, batch.rejected
    (out / "predictions.json").write_text(
        json.dumps([s.model_dump(mode="json") for s in scores], indent=1), encoding="utf-8"
    )
    (out / "risk-assessments.json").write_text(
        json.dumps([s.to_fhir() for s in scores], indent=1), encoding="utf-8"
    )
    lines = [
        f"trained logistic regression on {len(train)} Pima rows; held-out AUROC "
        f"{metrics.auroc:.3f} ({metrics.auroc_ci[0]:.3f}-{metrics.auroc_ci[1]:.3f}), "
        f"calibration slope {metrics.calibration_slope:.2f}, Brier {metrics.brier:.3f}",
        *(
            f"{b.score} (partial: age and BMI) AUROC {b.auroc:.3f} on the same women"
            for b in report.baselines
        ),
        f"{len(scores)} held-out patients from a FHIR bundle"
        + (f" ({len(rejected)} resources rejected)" if rejected else "")
        + ":",
        *(_score_line(s) for s in scores),
        f"report: {out / 'report' / 'report.html'}",
        f"FHIR RiskAssessments: {out / 'risk-assessments.json'}",
    ]
    return lines
