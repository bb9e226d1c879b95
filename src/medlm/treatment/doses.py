"""Doses in milligrams: product strength parsed from a drug name, and the amount per administration.

RxNorm clinical drug names carry the strength ("simvastatin 20 MG Oral Tablet"); FHIR doses are
either a mass ("40 mg"), a volume of a liquid ("5 mL") or a count of dose forms (no unit, or
"tablet"). The milligrams per administration follow from the dose and the product's strength;
when they do not, the answer is None and the caller says the dose was not recorded.
"""

from __future__ import annotations

import re

from medlm.records import Dose

_MASS_TO_MG = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "mcg": 0.001}
_STRENGTH = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(MG|MCG|UG|G)(?:\s*/\s*(\d+(?:\.\d+)?)?\s*([A-Z]+))?(?![\w])",
    re.IGNORECASE,
)
_FORM_UNITS = re.compile(r"^\{?(tab(let)?s?|cap(sule)?s?|tbl|each|ea|1)\}?$", re.IGNORECASE)


def parse_strength(name: str | None) -> Dose | None:
    """The one strength written in a product name: 'simvastatin 20 MG Oral Tablet' -> 20 mg.

    A concentration ('120 MG/ML') gives unit 'mg/mL'. Names with several strengths
    (combination products) or none give None: which strength belongs to which ingredient is
    not guessed.
    """
    if not name:
        return None
    found = _STRENGTH.findall(name)
    if len(found) != 1:
        return None
    value, unit, per_amount, per = found[0]
    mg = float(value) * _MASS_TO_MG[unit.lower()]
    volume = float(per_amount) if per_amount else 1.0
    if mg <= 0 or volume <= 0:
        return None
    if not per:
        return Dose(value=mg, unit="mg")
    if per.upper() == "ML":
        return Dose(value=mg / volume, unit="mg/mL")  # '250 MG/5ML' -> 50 mg/mL
    return None  # per actuation, per hour, mg/mg: not a per-administration strength


def is_form_count(unit: str | None) -> bool:
    """True when a dose unit counts dose forms: none given, 'tablet', '{tbl}', '1', ..."""
    return unit is None or bool(_FORM_UNITS.match(unit.strip()))


def dose_mg(dose: Dose | None, strength: Dose | None) -> float | None:
    """Milligrams per administration, or None when the record does not say.

    A mass dose is converted to mg; a count of dose forms (no unit, 'tablet') is multiplied by
    the strength in mg; a volume in mL by a concentration in mg/mL.
    """
    if dose is None:
        return None
    unit = (dose.unit or "").strip()
    if unit.lower() in _MASS_TO_MG:
        return dose.value * _MASS_TO_MG[unit.lower()]
    if strength is None or strength.unit is None:
        return None
    strength_mg = _MASS_TO_MG.get(strength.unit.lower())
    if is_form_count(dose.unit) and strength_mg is not None:
        return dose.value * strength.value * strength_mg
    if unit.lower() == "ml" and strength.unit.lower() == "mg/ml":
        return dose.value * strength.value
    return None
