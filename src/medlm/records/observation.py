"""The Observation record: one coded measurement (a lab, a vital sign, a score)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medlm.records.coding import Coding


class ObservationStatus(StrEnum):
    """FHIR R4 `Observation.status` values."""

    REGISTERED = "registered"
    PRELIMINARY = "preliminary"
    FINAL = "final"
    AMENDED = "amended"
    CORRECTED = "corrected"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"
    UNKNOWN = "unknown"


class Observation(BaseModel):
    """A measurement: LOINC code, numeric value with its UCUM unit (or a coded/text value)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    patient_id: str = Field(min_length=1)
    code: Coding = Field(description="What was measured, normally a LOINC code.")
    value: float | None = None
    unit: str | None = Field(default=None, description="UCUM unit code, e.g. 'mg/dL'.")
    value_text: str | None = Field(default=None, description="A coded or textual value.")
    effective: datetime | None = None
    status: ObservationStatus = ObservationStatus.FINAL

    @model_validator(mode="after")
    def _value_has_unit(self) -> Observation:
        if self.value is not None and self.unit is None:
            raise ValueError(
                f"observation {self.code.code} has value {self.value} but no unit; "
                "give a UCUM unit ('1' for unitless quantities)"
            )
        return self
