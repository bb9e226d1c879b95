"""Personalized treatment: cited recommendations, safety checks, and treatment-effect models.

Public API: `TreatmentRecommender` (recommend / check a `PatientRecord`), `SafetyEngine`,
the result records `Recommendation`, `SafetyIssue` and `TreatmentReport`, and the trial
treatment-effect learners in `medlm.treatment.effects`. Nothing is loaded at import.
"""

from medlm.treatment.recommender import TreatmentRecommender
from medlm.treatment.results import (
    Action,
    IssueKind,
    Recommendation,
    SafetyIssue,
    Severity,
    TreatmentReport,
)
from medlm.treatment.safety import SafetyEngine

__all__ = [
    "Action",
    "IssueKind",
    "Recommendation",
    "SafetyEngine",
    "SafetyIssue",
    "Severity",
    "TreatmentRecommender",
    "TreatmentReport",
]
