"""ADA type 2 diabetes branch: cardiorenal agents, metformin and kidney function, HbA1c target.

Reads `PatientFacts` and `guidelines.yaml` (section `diabetes`) and returns draft
`Recommendation`s (rationale written from the patient's values) plus the missing-data lines for
what it could not decide.
"""

from __future__ import annotations

from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.treatment.context import PatientFacts
from medlm.treatment.guidelines.common import Drafts
from medlm.treatment.guidelines.common import on_class as _on_class
from medlm.treatment.guidelines.common import rec as _rec
from medlm.treatment.labs import LabValue
from medlm.treatment.results import Action, Recommendation


def diabetes(facts: PatientFacts, k: TreatmentKnowledge) -> Drafts:
    """ADA Section 9: cardiorenal agents, metformin and kidney function, individual HbA1c target."""
    if "type2_diabetes" not in facts.conditions:
        return [], []
    g = k.guidelines["diabetes"]
    recs: list[Recommendation] = []
    missing: list[str] = []
    egfr = facts.lab("egfr")
    for key, label, said in (
        ("clinical_cvd", "ascvd_or_high_risk", "clinical ASCVD"),
        ("heart_failure", "heart_failure", "heart failure"),
        ("ckd", "ckd", "CKD"),
    ):
        if key not in facts.conditions:
            continue
        rule = g["cardiorenal_agent"][label]
        if _on_class(facts, k, rule["classes"]):
            continue
        if "egfr_at_least" in rule:
            if egfr is None:
                missing.append("eGFR not available: SGLT2 inhibitor for CKD eligibility unknown")
                continue
            eligible = egfr.at_least(rule["egfr_at_least"])
            if eligible is None:
                missing.append(
                    f"eGFR {egfr.text()} cannot tell whether it is at least "
                    f"{rule['egfr_at_least']}: SGLT2 inhibitor for CKD eligibility unknown"
                )
            if not eligible:
                continue
        names = " or ".join(k.classes[c].display for c in rule["classes"])
        recs.append(
            _rec(
                facts,
                k,
                rule["cite"],
                action=Action.START,
                drug_class=names,
                rationale=f"type 2 diabetes with {said}"
                + (f" (eGFR {egfr.text()})" if key == "ckd" and egfr is not None else "")
                + ": an agent with proven cardiorenal benefit, whether or not metformin is used",
                strength=rule["strength"],
                rule_id=f"ada-cardiorenal-{label}",
            )
        )
    recs += _metformin(facts, k, egfr, missing)
    recs += _hba1c(facts, k, missing)
    return recs, missing


def _metformin(
    facts: PatientFacts, k: TreatmentKnowledge, egfr: LabValue | None, missing: list[str]
) -> list[Recommendation]:
    m = k.guidelines["diabetes"]["metformin"]
    on = "metformin" in facts.ingredients(include_proposed=False)
    if egfr is None:
        missing.append("eGFR not available: metformin eligibility unknown")
        return []
    stop, no_start = m["stop_below_egfr"], m["no_initiation_below_egfr"]
    below_stop, below_start = egfr.below(stop), egfr.below(no_start)
    if below_stop is None or (not below_stop and below_start is None):
        cut = stop if below_stop is None else no_start
        missing.append(
            f"eGFR {egfr.text()} cannot tell whether it is below {cut}: "
            "metformin eligibility not checked"
        )
        return []
    if below_stop:
        action, rule, text = (
            (Action.STOP, "ada-metformin-stop", f"below {stop}: stop metformin")
            if on
            else (
                Action.AVOID,
                "ada-metformin-avoid",
                f"below {stop}: metformin is contraindicated",
            )
        )
    elif below_start:
        action, rule = (Action.ADJUST if on else Action.AVOID), "ada-metformin-egfr-30-44"
        text = f"{stop}–{no_start - 1}: " + (
            "reassess benefit and dose" if on else "do not start metformin"
        )
    elif not on:
        action, rule = Action.START, "ada-metformin-start"
        text = "above the kidney limits: metformin is an effective, inexpensive option"
    else:
        return []
    return [
        _rec(
            facts,
            k,
            m["cite"],
            action=action,
            rule_id=rule,
            drug="metformin",
            drug_class="biguanide",
            strength=m["strength"],
            rationale=f"eGFR {egfr.text()} is {text}",
        )
    ]


def _hba1c(facts: PatientFacts, k: TreatmentKnowledge, missing: list[str]) -> list[Recommendation]:
    t = k.guidelines["diabetes"]["hba1c_target"]
    value = facts.lab("hba1c")
    if value is None:
        missing.append("HbA1c not available: glycaemic target not assessed")
        return []
    relaxed = facts.age is not None and facts.age >= t["relaxed_from_age"]
    target = t["relaxed_below_percent"] if relaxed else t["general_below_percent"]
    on_target = value.below(target)
    if on_target is None:
        missing.append(
            f"HbA1c {value.text()}% cannot tell whether it is below {target:g}%: "
            "glycaemic target not assessed"
        )
        return []
    if on_target:
        return []
    why = f"age {facts.age:g}" if relaxed and facts.age is not None else "general adult target"
    return [
        _rec(
            facts,
            k,
            t["cite"],
            action=Action.ADJUST,
            drug_class="glucose-lowering therapy",
            rationale=f"HbA1c {value.text()}% is at or above the individual target below "
            f"{target:g}% ({why}): intensify treatment",
            strength="individualised target",
            rule_id="ada-hba1c-target",
        )
    ]
