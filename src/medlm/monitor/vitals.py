"""The vital-sign set record and its plausibility check (impossible values are quarantined)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from medlm.knowledge.early_warning import PlausibilityTable
from medlm.records import Rejection
from medlm.records.timing import exact_time

NUMERIC_PARAMETERS: tuple[str, ...] = (
    "respiratory_rate",
    "spo2",
    "systolic_bp",
    "heart_rate",
    "temperature_c",
)
# Every parameter a set can carry, as stored (one row per patient, time and parameter); the
# encounter class is stored the same way, as context of the set.
PARAMETERS: tuple[str, ...] = (
    *NUMERIC_PARAMETERS,
    "on_oxygen",
    "consciousness",
    "encounter_class",
)


class Consciousness(StrEnum):
    """ACVPU: Alert, new Confusion, responds to Voice, to Pain, Unresponsive."""

    ALERT = "A"
    CONFUSION = "C"
    VOICE = "V"
    PAIN = "P"
    UNRESPONSIVE = "U"


class VitalSigns(BaseModel):
    """One set of vital signs for one patient at one time; any parameter may be missing."""

    model_config = ConfigDict(extra="forbid")

    patient_id: str = Field(min_length=1, max_length=64)
    time: datetime = Field(description="When the set was measured (ISO 8601 with time zone).")
    respiratory_rate: float | None = Field(default=None, description="Breaths per minute.")
    spo2: float | None = Field(default=None, description="Oxygen saturation, %.")
    spo2_scale: Literal[1, 2] = Field(
        default=1, description="NEWS2 SpO2 scale; 2 only for hypercapnic respiratory failure."
    )
    on_oxygen: bool | None = Field(default=None, description="Supplemental oxygen (else air).")
    systolic_bp: float | None = Field(default=None, description="Systolic BP, mmHg.")
    heart_rate: float | None = Field(default=None, description="Pulse, beats per minute.")
    consciousness: Consciousness | None = None
    temperature_c: float | None = Field(default=None, description="Temperature, degrees C.")
    encounter_class: str | None = Field(
        default=None,
        max_length=16,
        description="FHIR Encounter.class code of the encounter (IMP in-patient, AMB, EMER).",
    )
    sources: list[str] = Field(
        default_factory=list,
        description="References of the Observations the set was built from (FHIR derivedFrom).",
    )

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return exact_time(value)

    def present(self) -> dict[str, float | bool | str]:
        """The parameters this set carries, by name (the stored form of each value)."""
        out: dict[str, float | bool | str] = {}
        for name in PARAMETERS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value.value if isinstance(value, Consciousness) else value
        return out


def check_plausible(
    vitals: VitalSigns, limits: PlausibilityTable
) -> tuple[VitalSigns, list[Rejection]]:
    """Split a set into its plausible part and the rejected values (each with its reason)."""
    rejected: list[Rejection] = []
    for name in NUMERIC_PARAMETERS:
        value = getattr(vitals, name)
        limit = limits.limits[name]
        if value is not None and not limit.min <= value <= limit.max:
            rejected.append(
                Rejection(
                    patient_id=vitals.patient_id,
                    time=vitals.time,
                    field=name,
                    value=str(value),
                    reason=(
                        f"{name}={value} {limit.unit} is outside the plausible range "
                        f"{limit.min:g}-{limit.max:g} (limits {limits.version})"
                    ),
                )
            )
    if not rejected:
        return vitals, []
    clean = vitals.model_copy(update={r.field: None for r in rejected if r.field})
    return clean, rejected
