"""Disease risk prediction: calibrated models, tiers, reasons and FHIR RiskAssessments.

>>> from medlm.risk import DiseaseRiskPredictor, from_dataset
>>> data = from_dataset("pima")
>>> model = DiseaseRiskPredictor("logreg").fit(data.features, data.target)
>>> scores = model.predict(data.features.head(2), ids=data.ids[:2])
"""

from medlm.risk.data import RiskData, from_dataset, read_csv
from medlm.risk.estimator import FAMILIES, DiseaseRiskPredictor
from medlm.risk.result import RiskScore, RiskTier, assign_tier

__all__ = [
    "FAMILIES",
    "DiseaseRiskPredictor",
    "RiskData",
    "RiskScore",
    "RiskTier",
    "assign_tier",
    "from_dataset",
    "read_csv",
]
