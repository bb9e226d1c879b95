"""The ClinicalNote record: free text written about a patient."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ClinicalNote(BaseModel):
    """A note's text with its type, date and the role of its author."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    patient_id: str | None = None
    text: str = Field(min_length=1)
    note_type: str | None = Field(default=None, description="e.g. 'discharge summary'.")
    date: datetime | None = None
    author_role: str | None = Field(default=None, description="e.g. 'physician', 'nurse'.")
