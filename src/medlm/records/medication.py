"""Medication records: what a patient takes (statement) and what is ordered (request)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medlm.records.coding import Coding


class MedicationStatus(StrEnum):
    """Union of the FHIR R4 MedicationStatement and MedicationRequest status codes medlm uses."""

    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"
    ON_HOLD = "on-hold"
    DRAFT = "draft"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"
    INTENDED = "intended"
    NOT_TAKEN = "not-taken"
    UNKNOWN = "unknown"


class Dose(BaseModel):
    """An amount of drug per administration, e.g. 500 mg, or 1 (tablet) when no unit is given.

    FHIR allows a dose without a unit (`doseQuantity {"value": 1}`): it counts units of the
    product's dose form, so `unit` is None and the amount of drug follows from `strength`.
    """

    model_config = ConfigDict(frozen=True)

    value: float = Field(gt=0)
    unit: str | None = Field(
        default=None, min_length=1, description="UCUM unit, e.g. 'mg'; None counts dose forms."
    )


class _MedicationBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    patient_id: str = Field(min_length=1)
    code: Coding | None = Field(default=None, description="RxNorm, MeSH or DrugBank code.")
    name: str | None = Field(default=None, description="Drug name as written.")
    dose: Dose | None = None
    strength: Dose | None = Field(
        default=None, description="Drug per dose form, e.g. 20 mg per tablet (from the product)."
    )
    ingredients: list[Coding] = Field(
        default_factory=list,
        description="Active ingredients of the product (Medication.ingredient).",
    )
    form: str | None = Field(default=None, description="Dose form, e.g. 'Oral Tablet'.")
    route: str | None = Field(default=None, description="e.g. 'oral', 'intravenous'.")
    frequency: str | None = Field(default=None, description="e.g. 'twice daily', 'BID'.")
    status: MedicationStatus = MedicationStatus.ACTIVE

    @model_validator(mode="after")
    def _code_or_name(self) -> _MedicationBase:
        if self.code is None and not self.name:
            raise ValueError("a medication needs a code or a name")
        return self

    @property
    def label(self) -> str:
        """The best human-readable name available."""
        if self.name:
            return self.name
        assert self.code is not None
        return self.code.display or self.code.code


class MedicationStatement(_MedicationBase):
    """A medication the patient is or was taking."""

    effective_start: date | None = None


class MedicationRequest(_MedicationBase):
    """A medication order (prescription)."""

    authored_on: date | None = None
