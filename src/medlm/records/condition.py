"""The Condition record: a coded problem or diagnosis."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from medlm.records.coding import Coding


class ClinicalStatus(StrEnum):
    """FHIR R4 `Condition.clinicalStatus` codes."""

    ACTIVE = "active"
    RECURRENCE = "recurrence"
    RELAPSE = "relapse"
    INACTIVE = "inactive"
    REMISSION = "remission"
    RESOLVED = "resolved"


class Condition(BaseModel):
    """A problem or diagnosis coded in ICD-10-CM or SNOMED CT."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    patient_id: str = Field(min_length=1)
    code: Coding
    onset: date | None = None
    status: ClinicalStatus = ClinicalStatus.ACTIVE
    text: str | None = Field(default=None, description="The problem as written (code.text).")
    concepts: list[str] = Field(
        default_factory=list,
        description="Value-set concept keys (e.g. 'heart_failure'), set at the records boundary.",
    )
    mapped_from_text: str | None = Field(
        default=None,
        description="Set when the concepts came from the display text, not the code: the text.",
    )

    @property
    def is_active(self) -> bool:
        return self.status in {
            ClinicalStatus.ACTIVE,
            ClinicalStatus.RECURRENCE,
            ClinicalStatus.RELAPSE,
        }
