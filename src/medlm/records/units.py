"""Unit conversion on UCUM codes with ucumvert (UCUM on pint), plus the analyte-specific steps.

Plain conversions (mg/dL <-> g/L, [degF] <-> Cel, kPa <-> mm[Hg], [lb_av] <-> kg, [in_i] <-> cm)
are ucumvert's. Two kinds are not unit arithmetic and come from the concept's value set
(`medlm.knowledge.concepts`), with their citations: mass <-> amount of substance (mg/dL <->
mmol/L, umol/L) through the analyte's molar mass, and analyte-specific scales such as HbA1c IFCC
mmol/mol <-> NGSP % (Hoelzel W et al., Clin Chem 2004;50(1):166-174, the master equation).

UCUM annotations (`{1.73_m2}`, `{creat}`) carry no magnitude, so ucumvert parses them away:
`mL/min/{1.73_m2}` and `mL/min` look equal to it. Here two units are the same only when their
annotations agree too, which keeps an eGFR per 1.73 m2 apart from a clearance in mL/min.

An unknown or incompatible unit is a UnitError naming the value and the unit; nothing is
guessed. Common non-UCUM spellings ('mmHg', 'mg/dl') are read through the cited alias table in
`knowledge/concepts/unit_aliases.yaml`. The registry is built on first use and cached.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from medlm.errors import UnitError
from medlm.knowledge.concepts import load_concepts

if TYPE_CHECKING:
    from ucumvert import PintUcumRegistry

    from medlm.knowledge.concepts import ObservationConcept

_ANNOTATION = re.compile(r"\{[^}]*\}")
_ANNOTATION_ONLY = re.compile(r"^\{[^}]*\}$")


@lru_cache(maxsize=1)
def ucum_registry() -> PintUcumRegistry:
    """The UCUM unit registry (built once, on first use: about half a second)."""
    from ucumvert import PintUcumRegistry

    return PintUcumRegistry()


def ucum_code(unit: str) -> str:
    """The UCUM code for a unit as written: the alias table's entry, else the unit itself."""
    text = unit.strip()
    return load_concepts().unit_aliases.get(text, text)


def _annotations(unit: str) -> tuple[str, ...]:
    return tuple(sorted(_ANNOTATION.findall(unit)))


@lru_cache(maxsize=512)
def _parse(unit: str) -> Any:
    """A pint quantity for one UCUM code (UnitError if UCUM has no such unit)."""
    if _ANNOTATION_ONLY.match(unit):  # '{score}': a bare annotation is the unity
        unit = "1"
    try:
        quantity = ucum_registry().from_ucum(unit)
    except Exception as exc:  # ucumvert raises lark and pint errors of many types
        raise UnitError(
            f"{unit!r} is not a UCUM unit ({type(exc).__name__})", field="unit"
        ) from exc
    if not hasattr(quantity, "units"):
        raise UnitError(f"{unit!r} is not a UCUM unit", field="unit")
    return quantity


def is_ucum(unit: str) -> bool:
    """True when the unit (after the alias table) is a valid UCUM code."""
    try:
        _parse(ucum_code(unit))
    except UnitError:
        return False
    return True


def same_unit(a: str, b: str) -> bool:
    """True when two units (as written) are the same UCUM unit, annotations included."""
    code_a, code_b = ucum_code(a), ucum_code(b)
    if code_a == code_b:
        return True
    if _annotations(code_a) != _annotations(code_b):
        return False
    try:
        qa, qb = _parse(code_a), _parse(code_b)
    except UnitError:
        return False
    return bool(qa.units == qb.units and qa.magnitude == qb.magnitude)


def convert(
    value: float, from_unit: str, to_unit: str, *, molar_mass_g_per_mol: float | None = None
) -> float:
    """`value` in `from_unit` expressed in `to_unit` (UCUM codes or listed aliases).

    With `molar_mass_g_per_mol`, mass and amount-of-substance concentrations convert into each
    other (mg/dL <-> mmol/L). Raises UnitError naming the value and units when a unit is
    unknown, the two are incompatible, or their annotations differ.

    >>> round(convert(98.6, "[degF]", "Cel"), 3)
    37.0
    """
    return _convert(value, from_unit, to_unit, molar_mass_g_per_mol, same_annotations=True)


def _convert(
    value: float, from_unit: str, to_unit: str, molar: float | None, *, same_annotations: bool
) -> float:
    code_from, code_to = ucum_code(from_unit), ucum_code(to_unit)
    if same_annotations and _annotations(code_from) != _annotations(code_to):
        raise UnitError(
            f"value {value} {from_unit!r} cannot be expressed in {to_unit!r}: "
            "their UCUM annotations differ",
            field="unit",
        )
    try:
        source, target = _parse(code_from), _parse(code_to)
    except UnitError as exc:
        raise UnitError(f"value {value} has unit {from_unit!r}: {exc}", field="unit") from exc
    registry = ucum_registry()
    quantity = registry.Quantity(value * source.magnitude, source.units)
    try:
        if molar is not None and not _compatible(quantity, target):
            quantity = _via_molar_mass(quantity, target, molar)
        result = quantity.to(target.units).magnitude / target.magnitude
    except Exception as exc:  # pint's DimensionalityError and offset-unit errors
        raise UnitError(
            f"value {value} has unit {from_unit!r}, which cannot be converted to {to_unit!r}",
            field="unit",
        ) from exc
    return float(result)


def _compatible(quantity: Any, target: Any) -> bool:
    return bool(quantity.dimensionality == target.dimensionality)


def _via_molar_mass(quantity: Any, target: Any, g_per_mol: float) -> Any:
    molar_mass = ucum_registry().Quantity(g_per_mol, "g/mol")
    times, divided = quantity * molar_mass, quantity / molar_mass
    return times if times.dimensionality == target.dimensionality else divided


def accepted_unit(concept: ObservationConcept, unit: str) -> str | None:
    """The concept's own spelling of `unit` when the concept accepts it, else None."""
    for candidate in concept.units:
        if same_unit(unit, candidate):
            return candidate
    return None


def _require(concept: ObservationConcept, value: float, unit: str) -> str:
    own = accepted_unit(concept, unit)
    if own is None:
        accepted = ", ".join(concept.units) or "none (a coded value)"
        raise UnitError(
            f"value {value} has unit {unit!r}, which medlm does not accept for "
            f"{concept.display} (accepted: {accepted})",
            field="unit",
        )
    return own


def to_canonical(concept: ObservationConcept, value: float, unit: str) -> float:
    """`value` of this concept in `unit` expressed in the concept's canonical unit."""
    own = _require(concept, value, unit)
    if own == concept.unit:
        return value
    affine = concept.affine_units.get(own)
    if affine is not None:
        return _clean(value * affine.slope + affine.intercept)
    assert concept.unit is not None  # _require found a unit, so the concept has one
    molar = concept.molar_mass.effective_g_per_mol if concept.molar_mass else None
    # the concept lists `own` as one of its units, so their annotations are known to agree
    return _clean(_convert(value, own, concept.unit, molar, same_annotations=False))


def from_canonical(concept: ObservationConcept, value: float, unit: str) -> float:
    """A canonical value of this concept expressed in another accepted `unit`."""
    own = _require(concept, value, unit)
    if own == concept.unit:
        return value
    affine = concept.affine_units.get(own)
    if affine is not None:
        return _clean((value - affine.intercept) / affine.slope)
    assert concept.unit is not None
    molar = concept.molar_mass.effective_g_per_mol if concept.molar_mass else None
    return _clean(_convert(value, concept.unit, own, molar, same_annotations=False))


def _clean(value: float) -> float:
    """A converted value to 14 significant digits, so 100.4 [degF] is 38 Cel exactly, not
    38.00000000000006 (floating-point noise must not move a value across a score's band edge)."""
    return float(f"{value:.14g}")


def convert_concept(
    concept: ObservationConcept, value: float, from_unit: str, to_unit: str
) -> float:
    """A value of this concept converted between two of its accepted units.

    >>> from medlm.knowledge.concepts import load_concepts
    >>> round(convert_concept(load_concepts().observation("glucose"), 100, "mg/dL", "mmol/L"), 3)
    5.551
    """
    return from_canonical(concept, to_canonical(concept, value, from_unit), to_unit)
