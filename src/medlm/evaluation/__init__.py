"""Evaluation of risk models: metrics with bootstrap CIs, calibration, validation designs, reports.

`evaluate_probabilities(y, p, ...)` gives a `Metrics` record (AUROC with 95% CI, AUPRC, Brier,
calibration intercept and slope, ECE, cut-point table, subgroup AUROCs); `cross_validate` and
`external_validation` refit an estimator per fold or per site; `write_report` writes
report.json, report.html (plots embedded) and the reliability and decision-curve PNGs.
"""

from medlm.evaluation.evaluate import evaluate_probabilities
from medlm.evaluation.report import Report, write_report
from medlm.evaluation.results import BaselineResult, CrossValidationResult, Metrics
from medlm.evaluation.validation import cross_validate, external_validation

__all__ = [
    "BaselineResult",
    "CrossValidationResult",
    "Metrics",
    "Report",
    "cross_validate",
    "evaluate_probabilities",
    "external_validation",
    "write_report",
]
