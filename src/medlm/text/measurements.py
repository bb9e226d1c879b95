"""Tests, vital signs and ages written with a value: "HbA1c 8.2%", "BP 150/95", "62-year-old".

Names, codes and units come from `medlm/knowledge/text/measurements.yaml`. A value without a
unit gets one only for quantities that have a single unit (blood pressure in mm[Hg], SpO2 in %),
and says so (`unit_inferred`); otherwise a unitless number is not read as a measurement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medlm.knowledge.text import MeasurementConcept, measurement_concepts
from medlm.records import CodeSystem, Coding
from medlm.text.results import Measurement

_SYSTEMS = {"loinc": CodeSystem.LOINC.value, "medlm": CodeSystem.MEDLM.value}
_NUM = r"\d+(?:\.\d+)?"
_AGE_PATTERNS = (
    re.compile(r"\b(?P<v>\d{1,3})[- ]?(?P<u>years?|yrs?|months?|mos?)[- ]old\b", re.I),
    re.compile(r"\b(?P<v>\d{1,3})\s*(?:yo|y/o|y\.o\.)(?![A-Za-z])", re.I),
    re.compile(
        rf"\b(?:aged?|ages)\s+(?P<v>{_NUM})(?:\s*(?:-|–|to)\s*(?P<v2>{_NUM}))?"
        r"(?:\s*(?P<u>years?|yrs?|months?))?",
        re.I,
    ),
)


@dataclass(frozen=True, slots=True)
class Found:
    """A measurement or age found in text, before it becomes an Entity."""

    start: int
    end: int
    label: str
    name: str
    coding: Coding | None
    measurement: Measurement


def _coding(raw: dict[str, str]) -> Coding:
    return Coding(system=_SYSTEMS[raw["system"]], code=raw["code"], display=raw.get("display"))


class MeasurementReader:
    """Finds measurements and ages in a text."""

    def __init__(self) -> None:
        concepts, units = measurement_concepts()
        self.units = {k.casefold(): v for k, v in units.items()}  # µ (U+00B5) and μ (U+03BC)
        self._by_name: dict[str, MeasurementConcept] = {n: c for c in concepts for n in c.names}
        names = "|".join(
            re.escape(n).replace(r"\ ", r"\s+")
            for n in sorted(self._by_name, key=len, reverse=True)
        )
        unit_alt = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
        self._pattern = re.compile(
            rf"(?<![\w/])(?P<name>{names})(?![\w])\s*(?:[:=]|of|was|is|at|were|level of)?\s*"
            rf"(?P<v1>{_NUM})(?:\s*/\s*(?P<v2>{_NUM}))?"
            rf"(?:\s*(?P<unit>{unit_alt})(?![A-Za-z]))?",
            re.IGNORECASE,
        )

    def read(self, text: str) -> list[Found]:
        """All measurements and ages in `text`, in order."""
        found = [f for m in self._pattern.finditer(text) if (f := self._measure(m)) is not None]
        found.extend(self._ages(text, found))
        return sorted(found, key=lambda f: f.start)

    def _measure(self, m: re.Match[str]) -> Found | None:
        name = m.group("name")
        if len(name) <= 2 and not name[0].isupper():
            return None
        concept = self._by_name[" ".join(name.lower().split())]
        if (m.group("v2") is not None) != concept.pair:
            return None
        unit_text = m.group("unit")
        inferred = unit_text is None
        unit = self.units[unit_text.casefold()] if unit_text else concept.unit_if_missing
        if unit is None:
            return None
        v2 = m.group("v2")
        measurement = Measurement(
            value=float(m.group("v1")),
            value2=float(v2) if v2 is not None else None,
            unit=unit,
            unit_inferred=inferred,
        )
        return Found(m.start(), m.end(), "test", concept.id, _coding(concept.code), measurement)

    def components(self, concept_id: str) -> dict[str, Coding]:
        """Component codes of a paired measurement (systolic/diastolic)."""
        for concept in measurement_concepts()[0]:
            if concept.id == concept_id:
                return {k: _coding(v) for k, v in concept.components.items()}
        return {}

    def _ages(self, text: str, taken: list[Found]) -> list[Found]:
        out: list[Found] = []
        for pattern in _AGE_PATTERNS:
            for m in pattern.finditer(text):
                if any(f.start < m.end() and m.start() < f.end for f in [*taken, *out]):
                    continue
                unit_word = (m.groupdict().get("u") or "years").lower()
                unit = "mo" if unit_word.startswith("mo") else "a"
                v2 = m.groupdict().get("v2")
                measurement = Measurement(
                    value=float(m.group("v")),
                    value2=float(v2) if v2 else None,
                    unit=unit,
                    unit_inferred=m.groupdict().get("u") is None and "y" not in m.group().lower(),
                )
                out.append(Found(m.start(), m.end(), "age", "age", None, measurement))
        return out
