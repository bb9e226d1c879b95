"""The dataset column codes: reads codes.yaml (LOINC where confirmed, urn:medlm otherwise)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from medlm.errors import InputError
from medlm.records import CodeSystem, Coding

_SYSTEMS = {"loinc": CodeSystem.LOINC, "medlm": CodeSystem.MEDLM}


class Concept(BaseModel):
    """One measured concept: its code, the UCUM unit its values are stored in, and its place in
    medlm's shared vocabulary (`shared`: the same measure; `unlike`: a close but different one).
    """

    model_config = ConfigDict(frozen=True)

    name: str
    coding: Coding
    unit: str | None
    source: str
    shared: str | None = None
    unlike: str | None = None
    from_record: str | None = None


@cache
def concepts() -> dict[str, Concept]:
    """All concepts of codes.yaml, by name (read once, on first use)."""
    text = resources.files("medlm.datasets").joinpath("codes.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)["concepts"]
    out: dict[str, Concept] = {}
    for name, entry in raw.items():
        system = _SYSTEMS[entry["system"]]
        coding = Coding(system=system.value, code=str(entry["code"]), display=entry["display"])
        out[name] = Concept(
            name=name,
            coding=coding,
            unit=entry["unit"],
            source=entry["source"],
            shared=entry.get("shared"),
            unlike=entry.get("unlike"),
            from_record=entry.get("from_record"),
        )
    return out


def concept(name: str) -> Concept:
    """One concept by name; InputError if codes.yaml has no such concept."""
    try:
        return concepts()[name]
    except KeyError:
        raise InputError(f"codes.yaml has no concept {name!r}") from None
