"""The RiskScore result: one patient's probability, tier and reasons, renderable as FHIR."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from medlm import DISCLAIMER
from medlm.explain import Contribution
from medlm.risk.population import PopulationStatus
from medlm.risk.tiers import TierCutpoints, check_cutpoints

__all__ = ["RiskScore", "RiskTier", "assign_tier", "check_cutpoints"]


class RiskTier(StrEnum):
    """Qualitative risk band from the model's own probability cut-points."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def assign_tier(probability: float, cutpoints: Sequence[float]) -> RiskTier:
    """low below cutpoints[0], high at or above cutpoints[1], medium between."""
    low, high = check_cutpoints(cutpoints)
    if probability >= high:
        return RiskTier.HIGH
    if probability >= low:
        return RiskTier.MEDIUM
    return RiskTier.LOW


class RiskScore(BaseModel):
    """One prediction: who, how likely, which tier, why, and by which model.

    `tier` is None when the patient is outside the model's population (`population` says why):
    `probability` is then the model's arithmetic on a patient unlike those it learned from, not
    a risk estimate, and the FHIR RiskAssessment carries no prediction.
    """

    patient_id: str
    probability: float = Field(ge=0, le=1)
    tier: RiskTier | None
    cutpoints: TierCutpoints | None = Field(
        default=None, description="The model's tier cut-points and the rule that chose them."
    )
    population: PopulationStatus | None = Field(
        default=None, description="Whether the patient is in the model's population, and why not."
    )
    outcome: str = Field(description="What is predicted, e.g. 'diabetes'.")
    reasons: list[Contribution] = Field(default_factory=list)
    model_name: str
    model_version: str
    family: str
    missing: list[str] = Field(
        default_factory=list, description="Model inputs the record did not have (imputed)."
    )
    imputed: dict[str, str] = Field(
        default_factory=dict, description="Missing input -> what the model put in its place."
    )
    missing_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of the absolute log-odds contributions that comes from imputed inputs.",
    )
    low_confidence: bool = Field(
        default=False,
        description="True when missing_share reaches risk.low_confidence_missing_share.",
    )
    inputs: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Input -> references of the record entries its value was read from.",
    )
    notes: list[str] = Field(
        default_factory=list,
        description="Why a value the record holds was not used (stale, a bound, another measure).",
    )
    evidence: list[str] = Field(
        default_factory=list, description="References to the Observations the inputs came from."
    )
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))
    disclaimer: str = DISCLAIMER

    def to_fhir(self) -> dict[str, Any]:
        """This score as a FHIR R4 RiskAssessment, validated with fhir.resources.R4B."""
        from medlm.risk.fhir import risk_assessment

        return risk_assessment(self, self.evidence)
