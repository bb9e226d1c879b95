"""Glucose thresholds as cited data: consensus CGM metric bounds, GMI, and alert levels.

`thresholds.yaml` beside this module holds every number with its document, section and how it
was checked (V/S/U); entries citing `medlm` are medlm choices with their reason, not guideline
values. `load_glucose_thresholds()` validates it into `GlucoseThresholds`, read on first use and
cached, never at import.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AlertLevel",
    "GlucoseCitation",
    "GlucoseThresholds",
    "load_glucose_thresholds",
]

Verification = Literal["V", "S", "U"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GlucoseCitation(_Frozen):
    """Where a number comes from; `reason` is required for medlm's own choices."""

    source: str
    short: str
    document: str
    year: int
    section: str
    verification: Verification
    reason: str | None = None

    @model_validator(mode="after")
    def _choice_has_reason(self) -> GlucoseCitation:
        if self.source == "medlm" and not self.reason:
            raise ValueError(f"medlm choice {self.section!r} needs a reason")
        return self

    @property
    def label(self) -> str:
        """Short form for alert texts, e.g. 'ADA Standards of Care 2025, section 6'."""
        if self.source == "medlm":
            return self.short
        return f"{self.short}, {self.section.split(':')[0].split(' (')[0]}"


class AlertLevel(_Frozen):
    """One alert level: a bound (`below`, `above` or `at_least`), its policy rank, its source."""

    name: str
    rank: int = Field(ge=1)
    below: float | None = None
    above: float | None = None
    at_least: float | None = None
    persistent: bool = False
    cite: GlucoseCitation

    @model_validator(mode="after")
    def _one_bound(self) -> AlertLevel:
        if sum(b is not None for b in (self.below, self.above, self.at_least)) != 1:
            raise ValueError(f"alert level {self.name!r} needs exactly one bound")
        return self

    @property
    def hypo(self) -> bool:
        return self.below is not None

    @property
    def bound(self) -> float:
        value = self.below if self.below is not None else self.above or self.at_least
        assert value is not None
        return value

    def contains(self, mg_dl: float) -> bool:
        if self.below is not None:
            return mg_dl < self.below
        if self.above is not None:
            return mg_dl > self.above
        assert self.at_least is not None
        return mg_dl >= self.at_least

    @property
    def relation(self) -> str:
        """The bound in words: 'below 54 mg/dL', 'above 250 mg/dL', 'at or above 180 mg/dL'."""
        word = "below" if self.below is not None else "above" if self.above else "at or above"
        return f"{word} {self.bound:g} mg/dL"


class Metrics(_Frozen):
    in_range_low: float
    in_range_high: float
    below_1: float
    below_2: float
    above_1: float
    above_2: float
    cite: GlucoseCitation
    sufficiency_target_percent: float
    sufficiency_days: int
    sufficiency_cite: GlucoseCitation
    cv_target_percent: float
    cv_cite: GlucoseCitation
    gmi_intercept: float
    gmi_slope: float
    gmi_cite: GlucoseCitation


class Persistent(_Frozen):
    min_readings: int = Field(ge=2)
    min_span_minutes: float = Field(gt=0)
    cite: GlucoseCitation


class RapidFall(_Frozen):
    mg_dl_per_min: float = Field(gt=0)
    fit_minutes: float = Field(gt=0)
    at_or_below: float
    cite: GlucoseCitation


class PredictedLowRule(_Frozen):
    below: float
    horizon_minutes: float = Field(gt=0)
    fit_minutes: float = Field(gt=0)
    min_readings: int = Field(ge=2)
    cite: GlucoseCitation


class GlucoseThresholds(_Frozen):
    """The validated `thresholds.yaml`."""

    version: str
    metrics: Metrics
    levels: tuple[AlertLevel, ...]
    rank_cite: GlucoseCitation
    cgm_episode_minutes: float
    cgm_episode_cite: GlucoseCitation
    persistent: Persistent
    rapid_fall: RapidFall
    predicted_low: PredictedLowRule

    def level(self, name: str) -> AlertLevel:
        for level in self.levels:
            if level.name == name:
                return level
        raise KeyError(f"no glucose alert level named {name!r}")

    def by_rank(self, rank: int) -> AlertLevel | None:
        return next((lvl for lvl in self.levels if lvl.rank == rank), None)


def _cite(raw: dict[str, Any], sources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    source = sources[raw["source"]]
    return {**raw, "short": source["short"], "document": source["document"], "year": source["year"]}


@lru_cache(maxsize=1)
def load_glucose_thresholds() -> GlucoseThresholds:
    """The glucose thresholds, validated (cached after the first call)."""
    text = resources.files(__name__).joinpath("thresholds.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    sources = raw["sources"]
    m, a = raw["metrics"], raw["alerts"]

    def cite(value: dict[str, Any]) -> dict[str, Any]:
        return _cite(value, sources)

    metrics = {
        "in_range_low": m["in_range"]["from"],
        "in_range_high": m["in_range"]["to"],
        "below_1": m["below"]["level_1"],
        "below_2": m["below"]["level_2"],
        "above_1": m["above"]["level_1"],
        "above_2": m["above"]["level_2"],
        "gmi_intercept": m["gmi"]["intercept"],
        "gmi_slope": m["gmi"]["slope"],
        **{
            k: m[k] for k in ("sufficiency_target_percent", "sufficiency_days", "cv_target_percent")
        },
        **{k: cite(m[k]) for k in ("cite", "sufficiency_cite", "cv_cite", "gmi_cite")},
    }
    rules = {k: {**a[k], "cite": cite(a[k]["cite"])} for k in ("persistent", "rapid_fall")}
    return GlucoseThresholds(
        version=raw["version"],
        metrics=Metrics(**metrics),
        levels=tuple({**lvl, "cite": cite(lvl["cite"])} for lvl in a["levels"]),
        rank_cite=cite(a["rank_cite"]),
        cgm_episode_minutes=a["cgm_episode_minutes"],
        cgm_episode_cite=cite(a["cgm_episode_cite"]),
        predicted_low={**a["predicted_low"], "cite": cite(a["predicted_low"]["cite"])},
        **rules,
    )
