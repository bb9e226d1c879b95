"""ACC/AHA 2018 statin benefit groups and statin intensity, with the SLCO1B1 statin choice."""

from __future__ import annotations

from typing import Any

from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.messages import MessageTemplate, empty
from medlm.treatment.context import PatientFacts
from medlm.treatment.doses import parse_strength
from medlm.treatment.results import Action, Recommendation

_ORDER = {"low": 0, "moderate": 1, "high": 2}
_SLCO1B1_AVOID = {"decreased function", "possible decreased function", "poor function"}


def statin_intensity(ingredient: str, dose_mg: float, k: TreatmentKnowledge) -> str | None:
    """'high', 'moderate' or 'low' for a daily statin dose, or None if the table lacks it."""
    table = k.guidelines["lipids"]["intensity_table"]
    for intensity in ("high", "moderate", "low"):
        bounds = table[intensity].get(ingredient)
        if bounds and bounds[0] <= dose_mg <= bounds[1]:
            return intensity
    return None


def _group(facts: PatientFacts, k: TreatmentKnowledge, missing: list[str]) -> dict[str, Any] | None:
    ldl, risk, age = facts.lab("ldl_cholesterol"), facts.lab("ascvd_risk_10y"), facts.age
    if age is None:
        missing.append("age not available: statin benefit groups not assessed")
        return None
    for g in k.guidelines["lipids"]["benefit_groups"]:
        if not g.get("age_min", 0) <= age <= g.get("age_max", 200):
            continue
        if "condition" in g and g["condition"] in facts.conditions:
            return dict(g)
        if "ldl_at_least_mg_dl" in g and ldl is not None:
            severe = ldl.at_least(g["ldl_at_least_mg_dl"])
            if severe:
                return dict(g)
            if severe is None:
                missing.append(
                    f"LDL-C {ldl.text()} mg/dL cannot tell whether it is at least "
                    f"{g['ldl_at_least_mg_dl']} mg/dL: severe hypercholesterolaemia group unknown"
                )
        if "ascvd_risk_at_least_percent" in g:
            if ldl is None or risk is None:
                # name only what is absent: a present LDL-C is never reported missing
                absent = (
                    "LDL-C or 10-year ASCVD risk"
                    if ldl is None and risk is None
                    else "LDL-C"
                    if ldl is None
                    else "10-year ASCVD risk"
                )
                missing.append(f"{absent} not available: primary-prevention statin group unknown")
                continue
            in_group = _all(
                ldl.within(g["ldl_from_mg_dl"], g["ldl_below_mg_dl"]),
                risk.at_least(g["ascvd_risk_at_least_percent"]),
            )
            if in_group is None:
                missing.append(
                    f"LDL-C {ldl.text()} mg/dL or ASCVD risk {risk.text()}% is a bound: "
                    "primary-prevention statin group unknown"
                )
            elif in_group:
                return dict(g)
    return None


# Statin sentences: the benefit group's name as the guideline table words it (quoted), the
# intensities as words of their own (`INTENSITY`), the patient's recorded statin and dose.
INTENSITY = {
    name: MessageTemplate(id=f"treatment.lipids.intensity-{key}", text=name)
    for key, name in (
        ("low", "low"),
        ("moderate", "moderate"),
        ("high", "high"),
        ("unlisted", "of unlisted"),
    )
}
STATIN_START = MessageTemplate(
    id="treatment.lipids.statin-start",
    text="statin benefit group '%(group)s': %(intensity)s-intensity statin%(note)s",
    quoted=("group",),
)
NOT_SIMVASTATIN = MessageTemplate(
    id="treatment.lipids.not-simvastatin", text=" (SLCO1B1 result: not simvastatin)"
)
STATIN_ADJUST = MessageTemplate(
    id="treatment.lipids.statin-intensity",
    text="%(drug)s: %(mg)s mg is %(have)s intensity; benefit group '%(group)s' calls for "
    "%(want)s intensity",
    quoted=("drug", "group"),
)
STATIN_ADJUST_AT_LEAST = MessageTemplate(
    id="treatment.lipids.statin-intensity-at-least",
    text="%(drug)s: at least %(mg)s mg (strength in the name; tablets per dose not recorded) is "
    "%(have)s intensity; benefit group '%(group)s' calls for %(want)s intensity",
    quoted=("drug", "group"),
)


def _all(*answers: bool | None) -> bool | None:
    """Three-valued and: one False decides; otherwise None if any is unknown."""
    if False in answers:
        return False
    return None if None in answers else True


def _dose_text(intensity: str, k: TreatmentKnowledge, exclude: set[str]) -> str:
    table = k.guidelines["lipids"]["intensity_table"][intensity]
    parts = [
        f"{d} {lo:g}–{hi:g} mg" if lo != hi else f"{d} {lo:g} mg"
        for d, (lo, hi) in table.items()
        if d not in exclude
    ]
    return f"{intensity}-intensity: " + ", ".join(parts) + " daily"


def statins(facts: PatientFacts, k: TreatmentKnowledge) -> tuple[list[Recommendation], list[str]]:
    """A start or adjust recommendation when the patient is in a statin benefit group."""
    missing: list[str] = []
    group = _group(facts, k, missing)
    if group is None:
        return [], missing
    exclude = {"simvastatin"} if facts.phenotypes.get("SLCO1B1") in _SLCO1B1_AVOID else set()
    cite = k.cite(group["cite"])
    current = [d for d in facts.drugs if d.ingredient in k.classes["statin"].members]
    want = group["intensity"]
    base = {
        "patient_id": facts.patient_id,
        "citation": cite,
        "drug_class": "statin",
        "strength": "guideline recommendation",
        "dose_guidance": _dose_text(want, k, exclude),
    }
    if not current:
        note = NOT_SIMVASTATIN() if exclude else empty()
        start = STATIN_START(group=group["name"], intensity=INTENSITY[want](), note=note)
        return [
            Recommendation(
                action=Action.START,
                rule_id="acc-aha-2018-statin-start",
                rationale=start.text,
                message=start.ref,
                **base,
            )
        ], missing
    drug = current[0]
    mg = drug.dose_mg
    if mg is None:  # the strength in the name is a floor: at least one tablet a dose
        strength = parse_strength(drug.label)
        if strength is None or (strength.unit or "").lower() != "mg":
            missing.append(f"{drug.ingredient} dose not recorded: statin intensity not assessed")
            return [], missing
        mg, said = strength.value, STATIN_ADJUST_AT_LEAST
    else:
        said = STATIN_ADJUST
    have = statin_intensity(drug.ingredient, mg, k)
    if have is not None and _ORDER[have] >= _ORDER[want]:
        return [], missing
    adjust = said(
        drug=drug.label,
        mg=mg,
        have=INTENSITY[have or "of unlisted"](),
        group=group["name"],
        want=INTENSITY[want](),
    )
    return [
        Recommendation(
            action=Action.ADJUST,
            drug=drug.ingredient,
            rule_id="acc-aha-2018-statin-intensity",
            rationale=adjust.text,
            message=adjust.ref,
            **base,
        )
    ], missing
