"""Early-warning score tables (NEWS2, MEWS, qSOFA) and vital-sign plausibility limits as data.

Each YAML file here is versioned and carries its citation beside each entry; the loaders below
validate them into typed tables. Files are read on first use and cached, never at import.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Band",
    "MewsTable",
    "News2Table",
    "Parameter",
    "PlausibilityTable",
    "QsofaTable",
    "Response",
    "load_mews",
    "load_news2",
    "load_plausibility",
    "load_qsofa",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Band(_Frozen):
    """Points for values up to `max` (inclusive) or `below` (exclusive); neither: open-ended."""

    points: int = Field(ge=0, le=3)
    max: float | None = None
    below: float | None = None

    def contains(self, value: float) -> bool:
        if self.max is not None:
            return value <= self.max
        if self.below is not None:
            return value < self.below
        return True


class Parameter(_Frozen):
    """One scored parameter: numeric bands or categorical points, with its citation."""

    input: str
    citation: str
    unit: str | None = None
    bands: tuple[Band, ...] = ()
    categories: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _bands_or_categories(self) -> Parameter:
        if bool(self.bands) == bool(self.categories):
            raise ValueError(f"parameter for {self.input!r} needs exactly one of bands/categories")
        if self.bands and (self.bands[-1].max is not None or self.bands[-1].below is not None):
            raise ValueError(f"the last band for {self.input!r} must be open-ended")
        return self

    def points(self, value: float) -> int:
        """The points a numeric value scores (first band that contains it)."""
        for band in self.bands:
            if band.contains(value):
                return band.points
        raise AssertionError("unreachable: the last band is open-ended")


class ResponseRule(_Frozen):
    min_total: int | None = None
    red_score: bool | None = None


class Response(_Frozen):
    """A row of the NEWS2 clinical-response chart with its risk band."""

    level: int = Field(ge=0)
    name: str
    when: ResponseRule
    risk: str
    monitoring_frequency: str
    action: str
    citation: str


class News2Table(_Frozen):
    name: str
    version: str
    citation: str
    aggregate_range: tuple[int, int]
    red_score_points: int
    min_age_years: int
    snomed_total_code: str
    parameters: dict[str, Parameter]
    responses: tuple[Response, ...]

    def response_for(self, total: int, red_score: bool) -> Response:
        """The first response row (highest level first) that the total or red score meets."""
        for row in self.responses:
            rule = row.when
            if rule.min_total is not None and total >= rule.min_total:
                return row
            if rule.red_score and red_score:
                return row
        raise AssertionError("unreachable: the table ends with min_total 0")


class MewsTable(_Frozen):
    name: str
    version: str
    citation: str
    parameters: dict[str, Parameter]
    high_risk_total: int


class Criterion(_Frozen):
    input: str
    citation: str
    max: float | None = None
    min: float | None = None
    altered: tuple[str, ...] = ()


class QsofaTable(_Frozen):
    name: str
    version: str
    citation: str
    criteria: dict[str, Criterion]
    positive_total: int


class Limit(_Frozen):
    min: float
    max: float
    unit: str


class PlausibilityTable(_Frozen):
    version: str
    limits: dict[str, Limit]


def _read(name: str) -> Any:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def load_news2() -> News2Table:
    """NEWS2 (RCP 2017) bands, red-score rule and clinical-response chart."""
    return News2Table.model_validate(_read("news2.yaml"))


@lru_cache(maxsize=1)
def load_mews() -> MewsTable:
    """MEWS as published by Subbe et al. 2001 (the version medlm pins)."""
    return MewsTable.model_validate(_read("mews.yaml"))


@lru_cache(maxsize=1)
def load_qsofa() -> QsofaTable:
    """qSOFA criteria from Sepsis-3."""
    return QsofaTable.model_validate(_read("qsofa.yaml"))


@lru_cache(maxsize=1)
def load_plausibility() -> PlausibilityTable:
    """medlm's plausibility limits for incoming vital signs (engineering choices)."""
    return PlausibilityTable.model_validate(_read("plausibility.yaml"))
