"""The Patient record: identity-free demographics the applications need."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Sex(StrEnum):
    """Administrative sex as in FHIR `Patient.gender`."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Patient(BaseModel):
    """A patient: an id, a birth date or an age in years, and sex."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    birth_date: date | None = None
    age: float | None = Field(default=None, ge=0, le=130, description="Age in years.")
    sex: Sex = Sex.UNKNOWN
    deceased: bool = Field(default=False, description="FHIR Patient.deceased[x] is true or a date.")
    deceased_on: date | None = Field(default=None, description="Date of death, when recorded.")

    @model_validator(mode="after")
    def _birth_date_not_in_future(self) -> Patient:
        if self.birth_date is not None and self.birth_date > date.today():
            raise ValueError(f"birth_date {self.birth_date} is in the future")
        return self

    def alive_on(self, when: date) -> bool:
        """False once the patient has died (on or before `when`, or at an unrecorded date)."""
        if not self.deceased:
            return True
        return self.deceased_on is not None and self.deceased_on > when

    def age_on(self, when: date) -> float | None:
        """Age in whole years on `when` (from the birth date if known, else the stored age)."""
        if self.birth_date is None:
            return self.age
        years = when.year - self.birth_date.year
        if (when.month, when.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return float(years)
