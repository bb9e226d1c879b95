"""Atrial fibrillation branch (2023 ACC/AHA/ACCP/HRS): anticoagulation by CHA2DS2-VASc.

Reads `af.yaml` (thresholds by sex, class of recommendation and level of evidence, the DOAC or
warfarin choice) and scores CHA2DS2-VASc and HAS-BLED with `guidelines.scores`. A patient
already on an oral anticoagulant is not told to start one. HAS-BLED names modifiable bleeding
factors; it never withholds anticoagulation on its own.
"""

from __future__ import annotations

from typing import Any

from medlm.knowledge.risk_scores import load_score
from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.records import Sex
from medlm.treatment.context import PatientFacts
from medlm.treatment.guidelines.common import Drafts, rec, taking
from medlm.treatment.guidelines.scores import ItemScore, cha2ds2_vasc, has_bled
from medlm.treatment.results import Action, Recommendation


def _decision(points: int, sex: str, g: dict[str, Any]) -> str | None:
    if points >= g["recommend"]["at_least"][sex]:
        return "recommend"
    if points >= g["reasonable"]["at"][sex]:
        return "reasonable"
    return None


def _decide(stroke: ItemScore, sex: Sex, g: dict[str, Any]) -> tuple[str | None, bool]:
    """(decision, decided): with sex unknown, decided only if both sexes give the same answer."""
    if sex in (Sex.MALE, Sex.FEMALE):
        return _decision(stroke.points, sex.value, g), True
    as_male = _decision(stroke.points, "male", g)
    as_female = _decision(stroke.points + 1, "female", g)
    return as_male, as_male == as_female


def atrial_fibrillation(facts: PatientFacts, k: TreatmentKnowledge) -> Drafts:
    """Start anticoagulation (class 1 or 2a by CHA2DS2-VASc) unless already anticoagulated."""
    if "atrial_fibrillation" not in facts.conditions:
        return [], []
    g = k.guidelines["atrial_fibrillation"]
    stroke, bleed = cha2ds2_vasc(facts, k), has_bled(facts, k)
    missing = [*stroke.missing_lines(), *bleed.missing_lines()]
    recs = _bleeding(facts, k, bleed)
    on = taking(facts, k, g["anticoagulants"])
    if on:
        return recs, missing
    decision, decided = _decide(stroke, facts.sex, g)
    if decision != "recommend" and (stroke.unknown or not decided):
        missing.append(
            f"{stroke.text()}: {', '.join(stroke.unknown) or 'sex'} not available, "
            "anticoagulation threshold for atrial fibrillation not decided"
        )
        return recs, missing
    if decision is None:
        return recs, missing
    level = g[decision]
    verb = "is recommended" if decision == "recommend" else "is reasonable (shared decision)"
    choice, why = _agent(facts, k, g, missing)
    recs.insert(
        0,
        rec(
            facts,
            k,
            level["cite"],
            action=Action.START,
            drug_class=choice,
            rationale=f"atrial fibrillation with {stroke.text()}: annual thromboembolic risk "
            f"{level['annual_risk']}, oral anticoagulation {verb}; {why}; {bleed.text()}",
            strength=level["strength"],
            rule_id=f"acc-aha-af-anticoagulation-{decision}",
        ),
    )
    return recs, missing


def _agent(
    facts: PatientFacts, k: TreatmentKnowledge, g: dict[str, Any], missing: list[str]
) -> tuple[str, str]:
    """The anticoagulant class to name and why (DOAC unless a mechanical valve or MS)."""
    doac = g["doac_preferred"]
    against = [c for c in doac["warfarin_if"] if c in facts.conditions]
    if against:
        names = " and ".join(c.replace("_", " ") for c in against)
        return (
            f"{k.classes['vitamin_k_antagonist'].display}: warfarin",
            f"{names}: warfarin, not a DOAC ({doac['strength']})",
        )
    if "prosthetic_heart_valve" in facts.conditions:
        missing.append(
            "prosthetic heart valve of unrecorded type: if it is mechanical, warfarin instead "
            "of a DOAC"
        )
    return (
        k.classes["doac"].display,
        f"a DOAC in preference to warfarin ({doac['strength']})",
    )


def _bleeding(facts: PatientFacts, k: TreatmentKnowledge, bleed: ItemScore) -> list[Recommendation]:
    """HAS-BLED at or above the high-risk cut: name the modifiable factors present."""
    cut = int((load_score("has_bled").model_extra or {})["high_risk_at_least"])
    if bleed.points < cut:
        return []
    g = k.guidelines["atrial_fibrillation"]["bleeding_score_not_alone"]
    modifiable = []
    if "uncontrolled_hypertension" in bleed.scored:
        modifiable.append("uncontrolled hypertension")
    if "drugs" in bleed.scored:
        drugs = taking(facts, k, ["antiplatelet", "nsaid"])
        modifiable.append(f"antiplatelet or NSAID use: {', '.join(drugs)}")
    address = "; ".join(modifiable) or "none recorded (check alcohol and INR control)"
    return [
        rec(
            facts,
            k,
            g["cite"],
            action=Action.MONITOR,
            drug_class="bleeding risk factors",
            rationale=f"{bleed.text()} is at or above {cut} (high bleeding risk): address "
            f"modifiable factors ({address}); not a reason on its own to withhold "
            "anticoagulation",
            strength=g["strength"],
            rule_id="acc-aha-af-has-bled-high",
        )
    ]
