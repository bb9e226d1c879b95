"""Cited risk scores as data: FINDRISC, ADA risk test, Framingham, CHA2DS2-VASc, HAS-BLED.

Each YAML file names its version, citation and what was verified; `load_score(name)` reads
one (files are read when asked, never at import) and `band_points` scores a value against
an item's bands (`below`: value < bound; `upto`: value <= bound; neither: the last band).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from medlm.errors import InputError

SCORES = ("findrisc", "ada_risk_test", "framingham_2008", "cha2ds2_vasc", "has_bled")


class ScoreTable(BaseModel):
    """One score's definition as shipped: citation, version, verification and the items."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    title: str
    version: str
    citation: str
    outcome: str
    verification: str
    items: dict[str, Any] = {}


@cache
def load_score(name: str) -> ScoreTable:
    """The score definition shipped as `<name>.yaml` in this package."""
    if name not in SCORES:
        raise InputError(f"unknown risk score {name!r}; choose from {', '.join(SCORES)}")
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return ScoreTable.model_validate(yaml.safe_load(text))


def band_points(bands: list[dict[str, Any]], value: float) -> int:
    """Points of the first band that `value` falls in."""
    for band in bands:
        if "below" in band and value < band["below"]:
            return int(band["points"])
        if "upto" in band and value <= band["upto"]:
            return int(band["points"])
        if "below" not in band and "upto" not in band:
            return int(band["points"])
    raise InputError(f"value {value} falls in no band of {bands}")


__all__ = ["SCORES", "ScoreTable", "band_points", "load_score"]
