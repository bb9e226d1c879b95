"""The AllergyIntolerance record."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medlm.records.coding import Coding


class AllergyCategory(StrEnum):
    FOOD = "food"
    MEDICATION = "medication"
    ENVIRONMENT = "environment"
    BIOLOGIC = "biologic"


class Criticality(StrEnum):
    LOW = "low"
    HIGH = "high"
    UNABLE_TO_ASSESS = "unable-to-assess"


class AllergyIntolerance(BaseModel):
    """An allergy or intolerance to a substance."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    patient_id: str = Field(min_length=1)
    substance: str | None = Field(default=None, description="Substance name as written.")
    code: Coding | None = None
    category: AllergyCategory | None = None
    criticality: Criticality | None = None
    reaction: str | None = None
    active: bool = True

    @model_validator(mode="after")
    def _substance_or_code(self) -> AllergyIntolerance:
        if self.code is None and not self.substance:
            raise ValueError("an allergy needs a substance name or a code")
        return self
