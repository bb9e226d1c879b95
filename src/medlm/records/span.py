"""The one span type shared by text extraction, PHI detection and token explanations."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Span(BaseModel):
    """A labelled character range `[start, end)` in a text, with a confidence score."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    label: str = Field(min_length=1)
    score: float = Field(default=1.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before its start {self.start}")
        return self

    def text_in(self, text: str) -> str:
        """The covered substring of `text`."""
        return text[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end
