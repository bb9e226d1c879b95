"""Typed results of text analysis: entities with codes, context and attributes; sections."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from medlm import DISCLAIMER
from medlm.records import Coding, Span

MatchMethod = Literal["exact", "synonym", "fuzzy"]
EntityLabel = str  # "problem", "medication", "test", "age" or a user vocabulary's label


class CodeMatch(BaseModel):
    """One code for an entity, with how it was matched and a score in [0, 1]."""

    model_config = ConfigDict(frozen=True)

    coding: Coding
    method: MatchMethod
    score: float = Field(ge=0.0, le=1.0)
    matched_term: str = Field(description="The terminology term the text was matched to.")


class Assertion(BaseModel):
    """ConText attributes of one entity (Harkema et al. 2009)."""

    model_config = ConfigDict(frozen=True)

    negated: bool = False
    possible: bool = False
    historical: bool = False
    hypothetical: bool = False
    family: bool = False
    experiencer: Literal["patient", "family", "other"] = "patient"
    triggers: tuple[str, ...] = Field(default=(), description="Trigger phrases that applied.")

    @property
    def affirmed_for_patient(self) -> bool:
        """Present, certain, current and about the patient."""
        return not (
            self.negated or self.possible or self.hypothetical or self.experiencer != "patient"
        )


class MedicationDetails(BaseModel):
    """Dose, route, frequency and duration written next to a medication."""

    model_config = ConfigDict(frozen=True)

    dose: float | None = None
    unit: str | None = Field(default=None, description="UCUM unit of the dose.")
    route: str | None = None
    frequency: str | None = None
    duration: str | None = None
    error_prone: tuple[str, ...] = Field(
        default=(), description="Terms on the ISMP error-prone abbreviation list that were used."
    )


class Measurement(BaseModel):
    """A value read for a test, a vital sign or an age."""

    model_config = ConfigDict(frozen=True)

    value: float
    unit: str = Field(description="UCUM unit.")
    value2: float | None = Field(default=None, description="Diastolic value of a '150/95' pair.")
    unit_inferred: bool = Field(
        default=False, description="The text gave no unit; the quantity's only unit was used."
    )


class Entity(BaseModel):
    """A concept found in a text: its span, label, codes, context and details."""

    model_config = ConfigDict(frozen=True)

    span: Span
    text: str
    label: EntityLabel
    source: str = Field(description="Which dictionary, vocabulary or rule found it.")
    preferred_name: str | None = None
    codes: tuple[CodeMatch, ...] = ()
    assertion: Assertion = Assertion()
    section: str | None = None
    sentence: int = Field(ge=0, description="Index of the sentence holding the entity.")
    expanded_from: str | None = Field(default=None, description="Abbreviation as written.")
    medication: MedicationDetails | None = None
    measurement: Measurement | None = None

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end

    def code_in(self, system: str) -> CodeMatch | None:
        """The best code in one terminology, if any."""
        hits = [c for c in self.codes if c.coding.system == system]
        return max(hits, key=lambda c: c.score) if hits else None


class Section(BaseModel):
    """A section of a note or abstract: its name, header text and character range."""

    model_config = ConfigDict(frozen=True)

    name: str
    header: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class TextAnalysis(BaseModel):
    """Everything found in one document."""

    model_config = ConfigDict(frozen=True)

    id: str | None = None
    patient_id: str | None = None
    text: str
    sentences: tuple[Span, ...]
    sections: tuple[Section, ...]
    entities: tuple[Entity, ...]
    disclaimer: str = DISCLAIMER

    def by_label(self, label: str) -> list[Entity]:
        return [e for e in self.entities if e.label == label]

    def find(self, text: str) -> list[Entity]:
        """Entities whose text equals `text`, case-insensitively."""
        return [e for e in self.entities if e.text.lower() == text.lower()]
