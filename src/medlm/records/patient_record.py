"""PatientRecord: everything medlm knows about one patient, whatever the source."""

from __future__ import annotations

from datetime import UTC

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medlm.records.allergy import AllergyIntolerance
from medlm.records.condition import Condition
from medlm.records.genomics import GenomicVariant, PharmacogenomicResult
from medlm.records.medication import MedicationRequest, MedicationStatement
from medlm.records.note import ClinicalNote
from medlm.records.observation import Observation
from medlm.records.patient import Patient


class PatientRecord(BaseModel):
    """One patient with their observations, conditions, medications, allergies, notes, PGx."""

    model_config = ConfigDict(extra="forbid")

    patient: Patient
    observations: list[Observation] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    medication_statements: list[MedicationStatement] = Field(default_factory=list)
    medication_requests: list[MedicationRequest] = Field(default_factory=list)
    allergies: list[AllergyIntolerance] = Field(default_factory=list)
    notes: list[ClinicalNote] = Field(default_factory=list)
    pharmacogenomics: list[PharmacogenomicResult] = Field(default_factory=list)
    variants: list[GenomicVariant] = Field(
        default_factory=list, description="Sequence variants (somatic tumour and germline)."
    )

    @model_validator(mode="after")
    def _all_about_this_patient(self) -> PatientRecord:
        pid = self.patient.id
        for name in (
            "observations",
            "conditions",
            "medication_statements",
            "medication_requests",
            "allergies",
            "pharmacogenomics",
            "variants",
        ):
            for i, item in enumerate(getattr(self, name)):
                if item.patient_id != pid:
                    raise ValueError(
                        f"{name}[{i}] belongs to patient {item.patient_id!r}, not {pid!r}"
                    )
        return self

    def observations_of(self, concept: str) -> list[Observation]:
        """The usable observations of one value-set concept (key set at the boundary)."""
        return [o for o in self.observations if o.concept == concept and o.is_usable]

    def latest_of(self, concept: str) -> Observation | None:
        """The most recent usable observation of a concept (undated ones count as oldest)."""
        matches = self.observations_of(concept)
        if not matches:
            return None
        return max(matches, key=lambda o: (o.effective is not None, _sort_time(o)))

    def latest(self, loinc: str) -> Observation | None:
        """The most recent observation with this LOINC code (undated ones count as oldest)."""
        matches = [o for o in self.observations if o.code.code == loinc]
        if not matches:
            return None
        return max(matches, key=lambda o: (o.effective is not None, o.effective or 0))


def _sort_time(obs: Observation) -> float:
    """A comparable timestamp: naive times are read as UTC."""
    if obs.effective is None:
        return float("-inf")
    when = obs.effective
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
