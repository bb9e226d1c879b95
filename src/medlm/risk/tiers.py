"""Per-model tier cut-points, chosen on the training data by a documented rule.

Rules:
- "prevalence" (default): low below `multiples[0]` x the training prevalence, high from
  `multiples[1]` x the prevalence (default 0.5x and 1.5x: "half the average risk of the people
  the model was trained on" and "half as much again"). Where 1.5x the prevalence would reach
  1 (prevalence >= 2/3), high starts halfway between the prevalence and 1.
- "fixed": the cut-points given (settings `risk.tier_low_below` / `risk.tier_high_from`).
- an anchor of knowledge/risk_scores/tier_anchors.yaml (e.g. "atp3_10y_chd": 10% / 20% for
  10-year coronary heart disease, NCEP ATP III 2001), for a model whose outcome is the anchor's.

The chosen cut-points and the rule in words are saved with the model and shown with every score.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from medlm.errors import ConfigError

DEFAULT_MULTIPLES = (0.5, 1.5)


class TierCutpoints(BaseModel):
    """A model's tier cut-points: low below `low_below`, high from `high_from`, and why."""

    model_config = ConfigDict(frozen=True)

    low_below: float = Field(gt=0, lt=1)
    high_from: float = Field(gt=0, lt=1)
    rule: str = Field(description="How they were chosen, in words.")
    source: str | None = Field(default=None, description="Citation of a clinical anchor.")

    @property
    def pair(self) -> tuple[float, float]:
        return (self.low_below, self.high_from)


def check_cutpoints(cutpoints: Sequence[float]) -> tuple[float, float]:
    """The two cut-points as floats; ConfigError unless 0 < low < high < 1."""
    values = tuple(float(c) for c in cutpoints)
    if len(values) != 2 or not 0 < values[0] < values[1] < 1:
        raise ConfigError(f"tier cut-points must be two increasing numbers in (0, 1): {values}")
    return values[0], values[1]


@cache
def _anchors() -> dict[str, dict[str, Any]]:
    folder = resources.files("medlm.knowledge.risk_scores")
    text = folder.joinpath("tier_anchors.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text)["anchors"])


def anchor_names() -> list[str]:
    return sorted(_anchors())


def choose_cutpoints(
    rule: str,
    *,
    prevalence: float,
    fixed: Sequence[float] | None = None,
    multiples: Sequence[float] = DEFAULT_MULTIPLES,
) -> TierCutpoints:
    """The cut-points of `rule` for a model whose training prevalence is `prevalence`."""
    if fixed is not None:
        low, high = check_cutpoints(fixed)
        return TierCutpoints(low_below=low, high_from=high, rule="fixed cut-points as given")
    if rule == "prevalence":
        return _from_prevalence(prevalence, multiples)
    anchors = _anchors()
    if rule not in anchors:
        known = ", ".join(["prevalence", *sorted(anchors)])
        raise ConfigError(f"unknown tier rule {rule!r}; choose from {known}")
    anchor = anchors[rule]
    low, high = check_cutpoints((anchor["low_below"], anchor["high_from"]))
    return TierCutpoints(
        low_below=low,
        high_from=high,
        rule=f"clinical anchor {rule}: {anchor['outcome']}",
        source=" ".join(str(anchor["citation"]).split()),
    )


def _from_prevalence(prevalence: float, multiples: Sequence[float]) -> TierCutpoints:
    m_low, m_high = (float(m) for m in multiples)
    if not 0 < m_low < 1 < m_high:
        raise ConfigError(f"prevalence multiples must be below and above 1: {tuple(multiples)}")
    if not 0 < prevalence < 1:
        raise ConfigError(f"training prevalence {prevalence} leaves no room for tiers")
    low = m_low * prevalence
    high = m_high * prevalence
    capped = high >= 1
    if capped:
        high = (prevalence + 1) / 2
    rule = f"{m_low:g}x and {m_high:g}x the training prevalence ({prevalence:.1%})" + (
        " (high capped halfway between the prevalence and 1)" if capped else ""
    )
    low, high = check_cutpoints((round(low, 4), round(high, 4)))
    return TierCutpoints(low_below=low, high_from=high, rule=rule)
