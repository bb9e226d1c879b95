"""Unit conversion for the quantities medlm's applications use, in UCUM codes, each cited.

Each quantity has one canonical unit; every other unit is an affine map to it
(`canonical = value * scale + offset`). An unknown quantity, an unknown unit, or a unit that
belongs to another quantity is a UnitError naming the value and unit: nothing is guessed.

UCUM: The Unified Code for Units of Measure, version 2.1 (Regenstrief Institute, 2017),
https://ucum.org/ucum. UCUM is case sensitive; it defines both `l` and `L` as the litre
(section 4.2, table 10), so `mg/dl` and `mg/dL` are the same unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from medlm.errors import UnitError


@dataclass(frozen=True)
class _Affine:
    scale: float
    offset: float = 0.0
    source: str = ""


# Molar masses for mass <-> amount-of-substance conversions.
_GLUCOSE_G_PER_MOL = 180.156  # C6H12O6, PubChem CID 5793 (computed molecular weight 180.16)
_CREATININE_MG_PER_DL_TO_UMOL_PER_L = 88.4  # KDIGO 2012 CKD guideline, "Notice" unit table
# HbA1c IFCC-NGSP master equation: NGSP(%) = 0.09148 * IFCC(mmol/mol) + 2.152
# (Hoelzel W et al., Clin Chem 2004;50(1):166-174; NGSP, www.ngsp.org/ifccngsp.asp).
_HBA1C_SLOPE, _HBA1C_INTERCEPT = 0.09148, 2.152

_SI_1959 = "International yard and pound agreement, 1959 (exact; UCUM [lb_av], [in_i])"

CANONICAL: dict[str, str] = {
    "glucose": "mmol/L",
    "creatinine": "umol/L",
    "hba1c": "%",
    "temperature": "Cel",
    "weight": "kg",
    "height": "cm",
    "blood_pressure": "mm[Hg]",
}

_UNITS: dict[str, dict[str, _Affine]] = {
    "glucose": {
        "mmol/L": _Affine(1.0),
        "mmol/l": _Affine(1.0),
        # mg/dL -> mmol/L: x mg/dL * 10 dL/L / 180.156 mg/mmol
        "mg/dL": _Affine(10.0 / _GLUCOSE_G_PER_MOL, source="glucose molar mass, PubChem 5793"),
        "mg/dl": _Affine(10.0 / _GLUCOSE_G_PER_MOL, source="glucose molar mass, PubChem 5793"),
    },
    "creatinine": {
        "umol/L": _Affine(1.0),
        "umol/l": _Affine(1.0),
        "mg/dL": _Affine(_CREATININE_MG_PER_DL_TO_UMOL_PER_L, source="KDIGO 2012"),
        "mg/dl": _Affine(_CREATININE_MG_PER_DL_TO_UMOL_PER_L, source="KDIGO 2012"),
    },
    "hba1c": {
        "%": _Affine(1.0),
        "mmol/mol": _Affine(_HBA1C_SLOPE, _HBA1C_INTERCEPT, source="Hoelzel 2004 master eq."),
    },
    "temperature": {
        "Cel": _Affine(1.0),
        # degF -> Cel: (F - 32) * 5/9 (UCUM [degF] definition, section 4.4, table 22)
        "[degF]": _Affine(5.0 / 9.0, -32.0 * 5.0 / 9.0, source="UCUM [degF]"),
        "K": _Affine(1.0, -273.15, source="UCUM Cel definition (K - 273.15)"),
    },
    "weight": {
        "kg": _Affine(1.0),
        "g": _Affine(0.001, source="SI prefix"),
        "[lb_av]": _Affine(0.45359237, source=_SI_1959),
    },
    "height": {
        "cm": _Affine(1.0),
        "m": _Affine(100.0, source="SI prefix"),
        "mm": _Affine(0.1, source="SI prefix"),
        "[in_i]": _Affine(2.54, source=_SI_1959),
    },
    "blood_pressure": {
        "mm[Hg]": _Affine(1.0),
        # 1 mm[Hg] = 133.3220 Pa (UCUM section 4.4, table 21) -> 1 kPa = 1000/133.322 mm[Hg]
        "kPa": _Affine(1000.0 / 133.3220, source="UCUM mm[Hg]"),
    },
}


def quantities() -> list[str]:
    """The quantity names `convert` knows."""
    return list(_UNITS)


def units_of(quantity: str) -> list[str]:
    """The UCUM codes accepted for `quantity` (UnitError if the quantity is unknown)."""
    return list(_table(quantity, None, None))


def _table(quantity: str, value: float | None, unit: str | None) -> dict[str, _Affine]:
    try:
        return _UNITS[quantity]
    except KeyError:
        raise UnitError(
            f"cannot convert {value} {unit!r}: unknown quantity {quantity!r} "
            f"(known: {', '.join(_UNITS)})",
            field="quantity",
        ) from None


def _unit(quantity: str, value: float, unit: str) -> _Affine:
    table = _table(quantity, value, unit)
    if unit in table:
        return table[unit]
    owners = [name for name, units in _UNITS.items() if unit in units]
    hint = f"; {unit!r} is a unit of {', '.join(owners)}" if owners else ""
    raise UnitError(
        f"value {value} has unit {unit!r}, which is not a {quantity} unit "
        f"(accepted: {', '.join(table)}){hint}",
        field="unit",
    )


def to_canonical(quantity: str, value: float, unit: str) -> float:
    """`value` in `unit` expressed in the quantity's canonical unit (`CANONICAL`)."""
    affine = _unit(quantity, value, unit)
    return value * affine.scale + affine.offset


def convert(quantity: str, value: float, from_unit: str, to_unit: str) -> float:
    """`value` of `quantity` converted from one UCUM unit to another.

    >>> round(convert("glucose", 100.0, "mg/dL", "mmol/L"), 2)
    5.55
    """
    canonical = to_canonical(quantity, value, from_unit)
    target = _unit(quantity, value, to_unit)
    return (canonical - target.offset) / target.scale


def normalize(quantity: str, value: float, unit: str) -> tuple[float, str]:
    """(value, unit) in the quantity's canonical unit."""
    return to_canonical(quantity, value, unit), CANONICAL[quantity]
