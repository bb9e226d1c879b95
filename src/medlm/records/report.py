"""The one ingest report: accepted records, every rejection with where and why, counts by type.

Every reader in `medlm.records` (FHIR Bundle, single resource, NDJSON, CDS Hooks prefetch, CSV
with a column map, medlm JSON, vital-sign JSON lines) returns an `IngestReport`, and every item
that was not accepted, at any stage (reading, unit conversion, plausibility, time checks), is one
`Rejection`. Applications never see raw input.
"""

from __future__ import annotations

from datetime import datetime

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
    """One input item (or one value of it) that was not accepted: where it was, and why.

    `position` is the 0-based index in `Bundle.entry`, the 1-based line of NDJSON or JSON-lines
    input, or the CSV row number (header = row 1); None where the item has no position (a value
    quarantined after reading). `field` is a FHIR path ('Observation.valueQuantity.unit'), a CSV
    column or a record field ('spo2').
    """

    model_config = ConfigDict(frozen=True)

    position: int | None = Field(
        default=None,
        description="0-based index in Bundle.entry; 1-based line; CSV row (header = row 1).",
    )
    resource_id: str | None = None
    resource_type: str | None = None
    patient_id: str | None = None
    field: str | None = Field(
        default=None, description="e.g. 'Observation.valueQuantity.value' or a CSV column."
    )
    value: str | None = Field(default=None, description="The offending value, as text.")
    time: datetime | None = Field(default=None, description="When the item was measured.")
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
        at = f"#{self.position} " if self.position is not None else ""
        held = f" ({len(self.held_back)} resources about it held back)" if self.held_back else ""
        return f"{at}{what}{ident}:{where} {self.reason}{held}"


class TypeCount(BaseModel):
    """How many resources (or CSV values) of one type were accepted, rejected, held back."""

    accepted: int = 0
    rejected: int = 0
    held_back: int = 0


class IngestReport(BaseModel):
    """What an ingest read: the records, every rejection, counts by type, what was skipped.

    `skipped` counts resources of types no medlm application uses (Encounter, Claim, ...): they
    are never a reason to refuse a patient. `notes` says what the boundary did that a reader
    should know (a code mapped from its display text, an eGFR derived from creatinine).
    """

    source: str | None = None
    records: list[PatientRecord] = Field(default_factory=list)
    rejections: list[Rejection] = Field(default_factory=list)
    counts: dict[str, TypeCount] = Field(default_factory=dict)
    skipped: dict[str, int] = Field(
        default_factory=dict, description="Resource type -> how many were not needed."
    )
    notes: list[str] = Field(default_factory=list)

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

    def skip(self, resource_type: str) -> None:
        """Count one resource of a type no application uses."""
        self.skipped[resource_type] = self.skipped.get(resource_type, 0) + 1

    def skipped_line(self) -> str | None:
        """'skipped: 1,242 Encounter, 310 Claim' (largest first), or None."""
        if not self.skipped:
            return None
        parts = sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0]))
        return "skipped: " + ", ".join(f"{n:,} {kind}" for kind, n in parts)

    def rejections_about(self, patient_id: str) -> list[Rejection]:
        """The rejections that name this patient."""
        return [r for r in self.rejections if r.patient_id == patient_id]

    def summary(self) -> dict[str, object]:
        """The report without the records (for printing)."""
        return self.model_dump(mode="json", exclude={"records"})
