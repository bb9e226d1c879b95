"""The ingest report: accepted records, every rejection with where and why, counts by type."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, computed_field

from medlm.records.patient_record import PatientRecord


class HeldBack(BaseModel):
    """A resource not read because the patient it refers to was rejected."""

    model_config = ConfigDict(frozen=True)

    position: int = Field(
        description="0-based index in Bundle.entry; for CSV the row number (header = row 1)."
    )
    resource_id: str | None = None
    resource_type: str


class Rejection(BaseModel):
    """One input item that was not accepted, with its place, field path and reason."""

    position: int = Field(
        description="0-based index in Bundle.entry; for CSV the row number (header = row 1)."
    )
    resource_id: str | None = None
    resource_type: str | None = None
    field: str | None = Field(
        default=None, description="e.g. 'Observation.valueQuantity.value' or a CSV column."
    )
    reason: str
    held_back: list[HeldBack] = Field(
        default_factory=list,
        description="Resources about this rejected patient that were therefore not read.",
    )

    def line(self) -> str:
        """One human-readable line."""
        what = self.resource_type or "item"
        ident = f" {self.resource_id!r}" if self.resource_id else ""
        where = f" {self.field}:" if self.field else ""
        held = f" ({len(self.held_back)} resources about it held back)" if self.held_back else ""
        return f"#{self.position} {what}{ident}:{where} {self.reason}{held}"


class TypeCount(BaseModel):
    """How many resources (or CSV values) of one type were accepted, rejected, held back."""

    accepted: int = 0
    rejected: int = 0
    held_back: int = 0


class IngestReport(BaseModel):
    """What an ingest read: the records, every rejection, and counts by resource type."""

    source: str | None = None
    records: list[PatientRecord] = Field(default_factory=list)
    rejections: list[Rejection] = Field(default_factory=list)
    counts: dict[str, TypeCount] = Field(default_factory=dict)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def patients(self) -> int:
        return len(self.records)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rejection_count(self) -> int:
        return len(self.rejections)

    @property
    def all_accepted(self) -> bool:
        return not self.rejections

    def count(self, resource_type: str) -> TypeCount:
        """The (mutable) counter of one resource type, created on first use."""
        return self.counts.setdefault(resource_type, TypeCount())

    def summary(self) -> dict[str, object]:
        """The report without the records (for printing)."""
        return self.model_dump(mode="json", exclude={"records"})
