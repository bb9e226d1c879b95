"""Chronic kidney disease branch (KDIGO 2024): RAS inhibition for albuminuria, SGLT2i by eGFR.

Reads `ckd.yaml`. An ACE inhibitor or ARB is recommended for CKD with urine ACR at or above
the albuminuria threshold and diabetes or hypertension, graded by diabetes and ACR category;
an SGLT2 inhibitor at eGFR at or above the floor with type 2 diabetes, heart failure or ACR
at or above the SGLT2 threshold. What could not be decided is listed.
"""

from __future__ import annotations

from typing import Any

from medlm.knowledge.concepts import load_concepts
from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.messages import MessageTemplate, joined_with_and, term
from medlm.treatment.context import PatientFacts
from medlm.treatment.guidelines.common import Drafts, on_class, rec
from medlm.treatment.labs import lab_param
from medlm.treatment.results import Action, Recommendation

RAAS = MessageTemplate(
    id="treatment.kdigo.raas",
    text="CKD with urine ACR %(acr)s mg/g and %(conditions)s: an ACE inhibitor or ARB at the "
    "highest tolerated dose; never both",
)
SGLT2 = MessageTemplate(
    id="treatment.kdigo.sglt2",
    text="CKD with eGFR %(egfr)s (at least %(limit)s) and %(why)s: an SGLT2 inhibitor",
)
URINE_ACR = MessageTemplate(id="treatment.kdigo.urine-acr", text="urine ACR %(acr)s mg/g")


def ckd(facts: PatientFacts, k: TreatmentKnowledge) -> Drafts:
    """KDIGO 2024 RAS inhibitor and SGLT2 inhibitor rules for a patient with CKD."""
    if "ckd" not in facts.conditions:
        return [], []
    g = k.guidelines["ckd"]
    missing: list[str] = []
    recs = _raas(facts, k, g["raas"], missing) + _sglt2(facts, k, g["sglt2_inhibitor"], missing)
    return recs, missing


def _raas(
    facts: PatientFacts, k: TreatmentKnowledge, r: dict[str, Any], missing: list[str]
) -> list[Recommendation]:
    with_ = [c for c in r["with_any_of"] if c in facts.conditions]
    if not with_ or on_class(facts, k, r["classes"]):
        return []
    acr = facts.lab("urine_acr")
    if acr is None:
        missing.append(
            "urine ACR not available: KDIGO ACE inhibitor or ARB for albuminuria not assessed"
        )
        return []
    albuminuric = acr.at_least(r["albuminuria_acr_at_least_mg_per_g"])
    if albuminuric is None:
        missing.append(f"urine ACR {acr.text()} mg/g cannot tell whether albuminuria is present")
        return []
    if not albuminuric:
        return []
    severe = acr.at_least(r["severe_acr_at_least_mg_per_g"]) is True
    grade = r["grades"]["diabetes" if "diabetes" in with_ else "severe" if severe else "moderate"]
    said = RAAS(acr=lab_param(acr), conditions=joined_with_and([term(c) for c in with_]))
    return [
        rec(
            facts,
            k,
            grade["cite"],
            action=Action.START,
            drug_class="ACE inhibitor or angiotensin II receptor blocker",
            rationale=said.text,
            message=said.ref,
            strength=grade["strength"],
            rule_id="kdigo-2024-ckd-raas",
        )
    ]


def _sglt2(
    facts: PatientFacts, k: TreatmentKnowledge, r: dict[str, Any], missing: list[str]
) -> list[Recommendation]:
    if on_class(facts, k, r["classes"]):
        return []
    acr = facts.lab("urine_acr")
    names = load_concepts().conditions
    why = [term(names[c].display) for c in r["if_conditions"] if c in facts.conditions]
    if acr is not None and acr.at_least(r["acr_at_least_mg_per_g"]):
        why.append(URINE_ACR(acr=lab_param(acr)))
    if not why:
        return []
    egfr = facts.lab("egfr")
    if egfr is None:
        missing.append("eGFR not available: KDIGO SGLT2 inhibitor eligibility unknown")
        return []
    eligible = egfr.at_least(r["egfr_at_least"])
    if eligible is None:
        missing.append(
            f"eGFR {egfr.text()} cannot tell whether it is at least {r['egfr_at_least']}: "
            "KDIGO SGLT2 inhibitor eligibility unknown"
        )
    if not eligible:
        return []
    said = SGLT2(egfr=lab_param(egfr), limit=f"{r['egfr_at_least']}", why=joined_with_and(why))
    return [
        rec(
            facts,
            k,
            r["cite"],
            action=Action.START,
            drug_class=k.classes["sglt2_inhibitor"].display,
            rationale=said.text,
            message=said.ref,
            strength=r["strength"],
            rule_id="kdigo-2024-ckd-sglt2",
        )
    ]
