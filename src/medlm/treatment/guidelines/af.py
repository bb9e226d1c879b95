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
from medlm.messages import Message, MessageTemplate, joined_with_and, joined_with_semicolons, term
from medlm.records import Sex
from medlm.treatment.context import PatientFacts
from medlm.treatment.guidelines.common import Drafts, rec, taking
from medlm.treatment.guidelines.scores import ItemScore, cha2ds2_vasc, has_bled
from medlm.treatment.results import Action, Recommendation

ANTICOAGULATE = MessageTemplate(
    id="treatment.af.anticoagulation",
    text="atrial fibrillation with %(stroke)s: annual thromboembolic risk %(annual_risk)s, oral "
    "anticoagulation %(verb)s; %(why)s; %(bleed)s",
    quoted=("annual_risk",),
)
VERB = {
    "recommend": MessageTemplate(id="treatment.af.recommended", text="is recommended"),
    "reasonable": MessageTemplate(
        id="treatment.af.reasonable", text="is reasonable (shared decision)"
    ),
}
WARFARIN_NOT_DOAC = MessageTemplate(
    id="treatment.af.warfarin-not-doac",
    text="%(conditions)s: warfarin, not a DOAC (%(strength)s)",
    quoted=("strength",),
)
DOAC_PREFERRED = MessageTemplate(
    id="treatment.af.doac-preferred",
    text="a DOAC in preference to warfarin (%(strength)s)",
    quoted=("strength",),
)
BLEEDING = MessageTemplate(
    id="treatment.af.has-bled-high",
    text="%(bleed)s is at or above %(cut)s (high bleeding risk): address modifiable factors "
    "(%(address)s); not a reason on its own to withhold anticoagulation",
)
UNCONTROLLED_BP = MessageTemplate(
    id="treatment.af.uncontrolled-hypertension", text="uncontrolled hypertension"
)
ANTIPLATELET_OR_NSAID = MessageTemplate(
    id="treatment.af.antiplatelet-or-nsaid",
    text="antiplatelet or NSAID use: %(drugs)s",
    quoted=("drugs",),
)
NONE_RECORDED = MessageTemplate(
    id="treatment.af.none-recorded", text="none recorded (check alcohol and INR control)"
)


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
    verb = VERB["recommend" if decision == "recommend" else "reasonable"]()
    choice, why = _agent(facts, k, g, missing)
    said = ANTICOAGULATE(
        stroke=stroke.said(),
        annual_risk=level["annual_risk"],
        verb=verb,
        why=why,
        bleed=bleed.said(),
    )
    recs.insert(
        0,
        rec(
            facts,
            k,
            level["cite"],
            action=Action.START,
            drug_class=choice,
            rationale=said.text,
            message=said.ref,
            strength=level["strength"],
            rule_id=f"acc-aha-af-anticoagulation-{decision}",
        ),
    )
    return recs, missing


def _agent(
    facts: PatientFacts, k: TreatmentKnowledge, g: dict[str, Any], missing: list[str]
) -> tuple[str, Message]:
    """The anticoagulant class to name and why (DOAC unless a mechanical valve or MS)."""
    doac = g["doac_preferred"]
    against = [c for c in doac["warfarin_if"] if c in facts.conditions]
    if against:
        names = joined_with_and([term(c.replace("_", " ")) for c in against])
        return (
            f"{k.classes['vitamin_k_antagonist'].display}: warfarin",
            WARFARIN_NOT_DOAC(conditions=names, strength=doac["strength"]),
        )
    if "prosthetic_heart_valve" in facts.conditions:
        missing.append(
            "prosthetic heart valve of unrecorded type: if it is mechanical, warfarin instead "
            "of a DOAC"
        )
    return k.classes["doac"].display, DOAC_PREFERRED(strength=doac["strength"])


def _bleeding(facts: PatientFacts, k: TreatmentKnowledge, bleed: ItemScore) -> list[Recommendation]:
    """HAS-BLED at or above the high-risk cut: name the modifiable factors present."""
    cut = int((load_score("has_bled").model_extra or {})["high_risk_at_least"])
    if bleed.points < cut:
        return []
    g = k.guidelines["atrial_fibrillation"]["bleeding_score_not_alone"]
    modifiable = []
    if "uncontrolled_hypertension" in bleed.scored:
        modifiable.append(UNCONTROLLED_BP())
    if "drugs" in bleed.scored:
        drugs = taking(facts, k, ["antiplatelet", "nsaid"])
        modifiable.append(ANTIPLATELET_OR_NSAID(drugs=", ".join(drugs)))
    address = joined_with_semicolons(modifiable) if modifiable else NONE_RECORDED()
    said = BLEEDING(bleed=bleed.said(), cut=cut, address=address)
    return [
        rec(
            facts,
            k,
            g["cite"],
            action=Action.MONITOR,
            drug_class="bleeding risk factors",
            rationale=said.text,
            message=said.ref,
            strength=g["strength"],
            rule_id="acc-aha-af-has-bled-high",
        )
    ]
