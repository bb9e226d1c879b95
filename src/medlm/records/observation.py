"""The Observation record: one coded measurement (a lab, a vital sign, a score)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

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


Comparator = Literal["<", "<=", ">=", ">"]


class Observation(BaseModel):
    """A measurement: a code, a numeric value with its UCUM unit (or a coded/text value).

    At the records boundary an Observation whose code belongs to a value-set concept
    (`medlm.knowledge.concepts`) gets that `concept` key and its value converted to the
    concept's canonical unit; what was recorded is kept in `original_value`/`original_unit`.
    A `comparator` (FHIR `valueQuantity.comparator`) says the true value is only bounded:
    '>60' means above 60, and rules must read it conservatively.
    """

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    patient_id: str = Field(min_length=1)
    code: Coding = Field(description="What was measured, normally a LOINC code.")
    value: float | None = None
    unit: str | None = Field(default=None, description="UCUM unit code, e.g. 'mg/dL'.")
    comparator: Comparator | None = Field(
        default=None, description="'<', '<=', '>=' or '>': the value is a bound, not a measure."
    )
    value_text: str | None = Field(default=None, description="A coded or textual value.")
    value_bool: bool | None = Field(default=None, description="FHIR valueBoolean.")
    value_time: datetime | None = Field(default=None, description="FHIR valueDateTime.")
    effective: datetime | None = None
    status: ObservationStatus = ObservationStatus.FINAL
    concept: str | None = Field(
        default=None, description="Value-set concept key (e.g. 'glucose'), set at the boundary."
    )
    original_value: float | None = Field(
        default=None, description="The value as recorded, before conversion to the canonical unit."
    )
    original_unit: str | None = Field(default=None, description="The unit as recorded.")
    derived_from: str | None = Field(
        default=None,
        description="Set when medlm computed the value, e.g. 'CKD-EPI 2021 from Observation/cr1'.",
    )
    encounter_class: str | None = Field(
        default=None, description="FHIR Encounter.class code of its encounter (IMP, AMB, EMER)."
    )
    group: str | None = Field(
        default=None, description="Id of the panel or set it was recorded in (component/member)."
    )

    @property
    def is_usable(self) -> bool:
        """False for cancelled and entered-in-error results, which no rule may read."""
        return self.status not in {ObservationStatus.CANCELLED, ObservationStatus.ENTERED_IN_ERROR}

    @model_validator(mode="after")
    def _value_has_unit(self) -> Observation:
        if self.value is not None and self.unit is None:
            raise ValueError(
                f"observation {self.code.code} has value {self.value} but no unit; "
                "give a UCUM unit ('1' for unitless quantities)"
            )
        return self
