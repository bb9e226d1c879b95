"""The typed shape of a value-set file: observation and condition concepts with their sources.

A value-set file (any `*.yaml` in this folder) may hold `observations`, `conditions` and
`unit_aliases`; every list carries a `cite` with its source and how it was checked:
  V  checked against the primary source (the document, its table, or the package named)
  S  seen in a secondary source only (e.g. codes as real data such as Synthea uses them)
  U  unverified lead, kept because real data uses it; a test pins what medlm does with it
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Verification = Literal["V", "S", "U"]

#: Short names for the code systems a value-set file may use (a full URI is also accepted).
SYSTEMS: dict[str, str] = {
    "loinc": "http://loinc.org",
    "snomed": "http://snomed.info/sct",
    "icd10cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "medlm": "urn:medlm",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Cite(_Frozen):
    """Where a list or a number comes from, and how medlm checked it."""

    source: str
    verification: Verification
    note: str | None = None


class Code(_Frozen):
    """One code of a value set; `system` is a short name (loinc, snomed, medlm) or a URI."""

    system: str
    code: str = Field(min_length=1)
    display: str | None = None
    verification: Verification | None = Field(
        default=None, description="Overrides the list's verification for this code."
    )

    @property
    def uri(self) -> str:
        return SYSTEMS.get(self.system, self.system)


class ConventionalFactor(_Frozen):
    """The factor laboratories convert with, where it differs from the exact molar mass."""

    value: float = Field(gt=0)
    unit: Literal["mg/dL per mmol/L", "umol/L per mg/dL"]
    cite: Cite


class MolarMass(_Frozen):
    """The analyte's molar mass (g/mol) for mass <-> amount-of-substance conversion."""

    g_per_mol: float = Field(gt=0)
    cite: Cite
    conventional_factor: ConventionalFactor | None = None

    @property
    def effective_g_per_mol(self) -> float:
        """The molar mass conversions use: the conventional factor's, when one is given."""
        factor = self.conventional_factor
        if factor is None:
            return self.g_per_mol
        if factor.unit == "mg/dL per mmol/L":  # 1 mmol/L = M mg/L = M/10 mg/dL
            return factor.value * 10.0
        return 10_000.0 / factor.value  # 1 mg/dL = 10 mg/L = 10/M mmol/L = 10^4/M umol/L


class AffineUnit(_Frozen):
    """An analyte-specific unit that is not a UCUM multiple: canonical = slope * x + intercept."""

    slope: float
    intercept: float
    cite: Cite


class ObservationConcept(_Frozen):
    """What an Observation measures, whatever the code: codes, canonical unit, limits, sources."""

    key: str = ""
    display: str
    codes: tuple[Code, ...] = Field(min_length=1)
    cite: Cite
    unit: str | None = Field(
        default=None, description="Canonical UCUM unit; None for a coded or text value."
    )
    also_units: tuple[str, ...] = Field(
        default=(), description="Other UCUM units accepted and converted to `unit`."
    )
    units_of_other_concepts: dict[str, str] = Field(
        default_factory=dict,
        description="A unit that makes the value another concept (eGFR in mL/min: unnormalized).",
    )
    molar_mass: MolarMass | None = None
    affine_units: dict[str, AffineUnit] = Field(default_factory=dict)
    plausible: tuple[float, float] | None = Field(
        default=None, description="Input validation in the canonical unit, not a clinical limit."
    )
    plausible_source: str | None = None
    freshness_days: float | None = Field(default=None, gt=0)
    freshness_source: str | None = None

    @property
    def units(self) -> tuple[str, ...]:
        """Every accepted unit, canonical first."""
        extra = tuple(u for u in self.affine_units if u not in self.also_units)
        return ((self.unit,) if self.unit else ()) + self.also_units + extra

    @model_validator(mode="after")
    def _consistent(self) -> ObservationConcept:
        if self.unit is None and (self.also_units or self.plausible or self.affine_units):
            raise ValueError("a coded concept (unit null) takes no units or plausible range")
        if self.plausible is not None and self.plausible[0] > self.plausible[1]:
            raise ValueError(f"plausible range {self.plausible} is reversed")
        if self.freshness_days is not None and not self.freshness_source:
            raise ValueError("freshness_days needs its freshness_source")
        return self


class ConditionConcept(_Frozen):
    """A problem or diagnosis: SNOMED CT codes, ICD-10-CM prefixes, display synonyms."""

    key: str = ""
    display: str
    implies: tuple[str, ...] = Field(
        default=(), description="Broader concepts this one is part of (type2_diabetes: diabetes)."
    )
    snomed: tuple[str, ...] = ()
    icd10cm: tuple[str, ...] = Field(default=(), description="Code prefixes, e.g. 'E11', 'N18.3'.")
    synonyms: tuple[str, ...] = Field(
        default=(), description="Phrases of a coded Condition's display text, matched whole-word."
    )
    not_if: tuple[str, ...] = Field(
        default=(), description="Phrases that stop a synonym match (e.g. 'insipidus')."
    )
    cite: Cite
    snomed_cite: Cite | None = None


class ConceptFile(_Frozen):
    """One value-set file."""

    version: str
    observations: dict[str, ObservationConcept] = Field(default_factory=dict)
    conditions: dict[str, ConditionConcept] = Field(default_factory=dict)
    unit_aliases: dict[str, str] = Field(default_factory=dict)
    unit_aliases_cite: Cite | None = None
    text_exclusions: tuple[str, ...] = ()
