"""A glucose value in the unit it was reported in (mg/dL or mmol/L), for alert fields.

The monitor works in mg/dL; a reading keeps what was given (`GlucoseReading.reported`, e.g.
"3.1 mmol/L"). Alerts name the value and the threshold in that unit, converted through the
glucose concept's cited molar mass (knowledge/concepts/labs.yaml, `medlm.records.units`).
"""

from __future__ import annotations

from functools import lru_cache

from medlm.knowledge.concepts import load_concepts
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.records.units import accepted_unit, convert_concept

MG_DL = "mg/dL"


@lru_cache(maxsize=8)
def _per_mg_dl(unit: str) -> float:
    """How much of `unit` one mg/dL of glucose is (1 for mg/dL)."""
    if unit == MG_DL:
        return 1.0
    return convert_concept(load_concepts().observation("glucose"), 1.0, MG_DL, unit)


def reported_unit(reading: GlucoseReading) -> str:
    """The glucose unit the reading was reported in, in the concept's spelling; mg/dL when it
    was not given or is not a glucose unit medlm accepts."""
    if not reading.reported:
        return MG_DL
    _, _, unit = reading.reported.strip().partition(" ")
    own = accepted_unit(load_concepts().observation("glucose"), unit.strip()) if unit else None
    return own or MG_DL


def in_unit(mg_dl: float, unit: str) -> float:
    """A glucose value in mg/dL expressed in `unit` (mg/dL or mmol/L), to 4 significant
    digits (the bounds are whole mg/dL; more digits would be noise)."""
    return float(f"{mg_dl * _per_mg_dl(unit):.4g}")


def reported_value(reading: GlucoseReading) -> tuple[float, str]:
    """The reading's value and unit as reported ('3.1 mmol/L' -> (3.1, 'mmol/L')), the value
    taken from the reported text when it parses, else converted from mg/dL."""
    unit = reported_unit(reading)
    if unit == MG_DL:
        return reading.mg_dl, unit
    assert reading.reported is not None  # a non-mg/dL unit comes only from the reported text
    number = reading.reported.strip().partition(" ")[0]
    try:
        return float(number), unit
    except ValueError:
        return in_unit(reading.mg_dl, unit), unit
