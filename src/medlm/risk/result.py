"""The RiskScore result: one patient's probability, tier and reasons, renderable as FHIR."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from medlm import DISCLAIMER
from medlm.errors import ConfigError
from medlm.explain import Contribution


class RiskTier(StrEnum):
    """Qualitative risk band from the probability cut-points in settings."""

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


def check_cutpoints(cutpoints: Sequence[float]) -> tuple[float, float]:
    values = tuple(float(c) for c in cutpoints)
    if len(values) != 2 or not 0 < values[0] < values[1] < 1:
        raise ConfigError(f"tier cut-points must be two increasing numbers in (0, 1): {values}")
    return values[0], values[1]


class RiskScore(BaseModel):
    """One prediction: who, how likely, which tier, why, and by which model."""

    patient_id: str
    probability: float = Field(ge=0, le=1)
    tier: RiskTier
    outcome: str = Field(description="What is predicted, e.g. 'diabetes'.")
    reasons: list[Contribution] = Field(default_factory=list)
    model_name: str
    model_version: str
    family: str
    missing: list[str] = Field(
        default_factory=list, description="Model inputs the record did not have (imputed)."
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
