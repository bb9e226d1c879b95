"""Heart failure with reduced ejection fraction (2022 AHA/ACC/HFSA): the four GDMT classes.

HFrEF is confirmed from an LVEF Observation (concept `lvef`) at or below
`heart_failure.hfref_lvef_at_most_percent`; without one the rules say so and recommend nothing.
For each class in `heart_failure.pillars` the patient does not take, a start is recommended,
the MRA only when eGFR and potassium allow it (and otherwise the reason is given). An ACE
inhibitor together with an ARNI is stopped.
"""

from __future__ import annotations

from typing import Any

from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.messages import Message, MessageTemplate, empty, joined_with_semicolons
from medlm.treatment.context import PatientFacts
from medlm.treatment.guidelines.common import Drafts, members, rec, taking
from medlm.treatment.labs import LabValue, lab_param
from medlm.treatment.results import Action, Recommendation

HFREF = MessageTemplate(id="treatment.hf.hfref", text="HFrEF (LVEF %(lvef)s%)")
PILLAR_START = MessageTemplate(
    id="treatment.hf.pillar-start", text="%(said)s not on this guideline-directed drug class"
)
MRA_NOT_ELIGIBLE = MessageTemplate(
    id="treatment.hf.mra-not-eligible",
    text="%(said)s: %(blocked)s: an MRA is not started (hyperkalaemia and kidney risk); "
    "reassess when this changes",
)
EGFR_NOT_ABOVE = MessageTemplate(
    id="treatment.hf.egfr-not-above", text="eGFR %(egfr)s is not above %(limit)s"
)
POTASSIUM_NOT_BELOW = MessageTemplate(
    id="treatment.hf.potassium-not-below",
    text="potassium %(potassium)s mmol/L is not below %(limit)s",
    numbers={"limit": ".1f"},
)
BETA_BLOCKER_SWITCH = MessageTemplate(
    id="treatment.hf.beta-blocker-switch",
    text="%(said)s on %(drugs)s, not one of the beta-blockers proven in HFrEF: switch",
    quoted=("drugs",),
)
BETA_BLOCKER_START = MessageTemplate(
    id="treatment.hf.beta-blocker-start", text="%(said)s not on an evidence-based beta-blocker"
)
NO_ACEI_WITH_ARNI = MessageTemplate(
    id="treatment.hf.no-acei-with-arni",
    text="%(said)s: an ACE inhibitor is never given with an ARNI (angioedema); stop it at least "
    "36 hours before the ARNI",
)


def _above(lab: LabValue, cut: float) -> bool | None:
    """Is the true value strictly above `cut`? None when a bound cannot tell."""
    v, c = lab.value, lab.comparator
    if c is None:
        return v > cut
    if c in (">", ">="):
        return True if (v >= cut if c == ">" else v > cut) else None
    return False if v <= cut else None


def heart_failure(facts: PatientFacts, k: TreatmentKnowledge) -> Drafts:
    """Recommend each missing GDMT class for HFrEF confirmed by LVEF."""
    if "heart_failure" not in facts.conditions:
        return [], []
    g = k.guidelines["heart_failure"]
    cut = g["hfref_lvef_at_most_percent"]
    lvef = facts.lab("lvef")
    if lvef is None:
        return [], [
            f"heart failure without an LVEF result: HFrEF (LVEF <= {cut}%) not confirmed, "
            "the four HFrEF drug classes were not assessed"
        ]
    reduced = lvef.below(cut + 1e-9)
    if reduced is None:
        return [], [f"LVEF {lvef.text()}% cannot tell whether it is at most {cut}%"]
    if not reduced:
        return [], [
            f"LVEF {lvef.text()}% is above {cut}%: the HFrEF drug rules do not apply "
            "(HFmrEF and HFpEF rules are not encoded)"
        ]
    said = HFREF(lvef=lab_param(lvef))
    recs: list[Recommendation] = _acei_with_arni(facts, k, g, said)
    missing: list[str] = []
    for pillar in g["pillars"]:
        recs += _pillar(facts, k, g, pillar, said, missing)
    return recs, missing


def _pillar(
    facts: PatientFacts,
    k: TreatmentKnowledge,
    g: dict[str, Any],
    pillar: dict[str, Any],
    said: Message,
    missing: list[str],
) -> list[Recommendation]:
    if pillar["key"] == "beta_blocker":
        return _beta_blocker(facts, k, g, pillar, said, missing)
    if facts.ingredients() & members(k, pillar["classes"]):
        return []
    base = {"strength": pillar["strength"], "drug_class": pillar["start"]}
    if pillar["key"] == "mra":
        blocked = _mra_blocked(facts, pillar, missing)
        if blocked is None:
            return []
        if blocked.text:
            why = MRA_NOT_ELIGIBLE(said=said, blocked=blocked)
            return [
                rec(
                    facts,
                    k,
                    pillar["cite"],
                    action=Action.AVOID,
                    rationale=why.text,
                    message=why.ref,
                    rule_id="aha-acc-hfref-mra-not-eligible",
                    **base,
                )
            ]
    return [
        rec(
            facts,
            k,
            pillar["cite"],
            action=Action.START,
            rationale=PILLAR_START(said=said).text,
            message=PILLAR_START(said=said).ref,
            rule_id=f"aha-acc-hfref-{pillar['key'].replace('_', '-')}",
            **base,
        )
    ]


def _mra_blocked(facts: PatientFacts, pillar: dict[str, Any], missing: list[str]) -> Message | None:
    """An empty message when eligible; the reason when not; None (with a missing line) when
    unknown."""
    egfr, k_plus = facts.lab("egfr"), facts.lab("potassium")
    need = f"eGFR > {pillar['egfr_above']} and potassium < {pillar['potassium_below']:.1f} mmol/L"
    if egfr is None or k_plus is None:
        absent = " and ".join(n for n, v in (("eGFR", egfr), ("potassium", k_plus)) if v is None)
        missing.append(f"{absent} not available: MRA eligibility ({need}) unknown")
        return None
    egfr_ok, k_ok = _above(egfr, pillar["egfr_above"]), k_plus.below(pillar["potassium_below"])
    reasons = []
    if egfr_ok is False:
        reasons.append(EGFR_NOT_ABOVE(egfr=lab_param(egfr), limit=f"{pillar['egfr_above']}"))
    if k_ok is False:
        reasons.append(
            POTASSIUM_NOT_BELOW(potassium=lab_param(k_plus), limit=pillar["potassium_below"])
        )
    if reasons:
        return joined_with_semicolons(reasons)
    if egfr_ok is None or k_ok is None:
        missing.append(
            f"eGFR {egfr.text()} or potassium {k_plus.text()} is a bound: MRA eligibility "
            f"({need}) unknown"
        )
        return None
    return empty()


def _beta_blocker(
    facts: PatientFacts,
    k: TreatmentKnowledge,
    g: dict[str, Any],
    pillar: dict[str, Any],
    said: Message,
    missing: list[str],
) -> list[Recommendation]:
    words = g["metoprolol_succinate_words"]
    evidence = [
        d
        for d in facts.drugs
        if d.ingredient in members(k, pillar["classes"])
        and (d.ingredient != "metoprolol" or any(w in f" {d.label.lower()}" for w in words))
    ]
    if evidence:
        return []
    metoprolol = [d for d in facts.drugs if d.ingredient == "metoprolol"]
    if metoprolol:
        missing.append(
            f"{metoprolol[0].label!r}: the metoprolol salt is not stated; only metoprolol "
            "succinate is an evidence-based beta-blocker in HFrEF (not checked)"
        )
        return []
    other = taking(facts, k, ["beta_blocker"])
    action = Action.ADJUST if other else Action.START
    rationale = (
        BETA_BLOCKER_SWITCH(said=said, drugs=", ".join(other))
        if other
        else BETA_BLOCKER_START(said=said)
    )
    return [
        rec(
            facts,
            k,
            pillar["cite"],
            action=action,
            drug_class=pillar["start"],
            rationale=rationale.text,
            message=rationale.ref,
            strength=pillar["strength"],
            rule_id="aha-acc-hfref-beta-blocker",
        )
    ]


def _acei_with_arni(
    facts: PatientFacts, k: TreatmentKnowledge, g: dict[str, Any], said: Message
) -> list[Recommendation]:
    acei = taking(facts, k, ["ace_inhibitor"])
    if not acei or not (facts.ingredients() & members(k, ["arni"])):
        return []
    rule = g["no_acei_with_arni"]
    return [
        rec(
            facts,
            k,
            rule["cite"],
            action=Action.STOP,
            drug=drug,
            drug_class=k.classes["ace_inhibitor"].display,
            rationale=NO_ACEI_WITH_ARNI(said=said).text,
            message=NO_ACEI_WITH_ARNI(said=said).ref,
            strength=rule["strength"],
            rule_id="aha-acc-hfref-no-acei-with-arni",
        )
        for drug in acei
    ]
