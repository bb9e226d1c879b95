"""PHI detection and anonymization, encryption at rest, access control and audit for medlm."""

from medlm.privacy.anonymizer import DeidResult, anonymize, deidentify
from medlm.privacy.categories import HIPAA_CATEGORY, PhiLabel
from medlm.privacy.detector import Detection, PhiDetector
from medlm.privacy.operators import Operator, OperatorConfig

__all__ = [
    "HIPAA_CATEGORY",
    "DeidResult",
    "Detection",
    "Operator",
    "OperatorConfig",
    "PhiDetector",
    "PhiLabel",
    "anonymize",
    "deidentify",
]
