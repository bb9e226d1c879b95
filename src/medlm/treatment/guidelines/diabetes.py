"""Guideline branches: ADA type 2 diabetes, ACC/AHA 2017 blood pressure, ACC/AHA 2018 statins.

Each function reads `PatientFacts` and the logic in `knowledge/treatment/guidelines.yaml` and
returns draft `Recommendation`s (rationale written from the patient's values) plus the missing
data lines for the branches it could not decide.
"""

from __future__ import annotations

from typing import Any

from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.treatment.context import PatientFacts
from medlm.treatment.labs import LabValue
from medlm.treatment.results import Action, Recommendation

Drafts = tuple[list[Recommendation], list[str]]


def _rec(
    facts: PatientFacts, k: TreatmentKnowledge, cite: dict[str, Any], **kw: Any
) -> Recommendation:
    return Recommendation(patient_id=facts.patient_id, citation=k.cite(cite), **kw)


def _on_class(facts: PatientFacts, k: TreatmentKnowledge, class_ids: list[str]) -> bool:
    members = set().union(*(k.classes[c].members for c in class_ids))
    return bool(facts.ingredients() & members)


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


def bp_category(sbp: float, dbp: float, k: TreatmentKnowledge) -> str:
    """ACC/AHA 2017 category; the higher of the systolic and diastolic categories."""
    for cat in k.guidelines["hypertension"]["categories"]:
        if "systolic_below" not in cat or (
            sbp < cat["systolic_below"] and dbp < cat["diastolic_below"]
        ):
            return str(cat["name"])
    raise AssertionError("the last BP category has no bound")


def hypertension(facts: PatientFacts, k: TreatmentKnowledge) -> Drafts:
    """ACC/AHA 2017: category, drug threshold, first-line classes, RAAS preference, two agents."""
    h = k.guidelines["hypertension"]
    sbp_lab, dbp_lab = facts.lab("systolic_bp"), facts.lab("diastolic_bp")
    if sbp_lab is None or dbp_lab is None:
        need = "hypertension" in facts.conditions
        return [], (
            ["blood pressure not available: hypertension rules not applied"] if need else []
        )
    sbp, dbp = sbp_lab.exact, dbp_lab.exact
    if sbp is None or dbp is None:
        return [], [
            f"blood pressure {sbp_lab.text()}/{dbp_lab.text()} is a bound, not a measure: "
            "hypertension rules not applied"
        ]
    cat = bp_category(sbp, dbp, k)
    bp = f"BP {sbp:g}/{dbp:g} mmHg ({cat})"
    first_line = h["first_line_classes"]
    on_classes = [c for c in first_line if _on_class(facts, k, [c])]
    if cat in {"normal", "elevated"}:
        return [], []
    if facts.pregnant:
        return [], ["pregnancy: the general ACC/AHA 2017 first-line drug logic is not applied"]
    risk = facts.lab("ascvd_risk_10y")
    if cat == "stage 1" and not (set(h["stage1_drug_if"]) & facts.conditions):
        if risk is None:
            return [], [
                "10-year ASCVD risk not available: stage 1 drug-treatment threshold unknown"
            ]
        threshold = h["stage1_drug_if_ascvd_risk_at_least_percent"]
        low_risk = risk.below(threshold)
        if low_risk is None:
            return [], [
                f"10-year ASCVD risk {risk.text()}% cannot tell whether it is below "
                f"{threshold:g}%: stage 1 drug-treatment threshold unknown"
            ]
        if low_risk:
            return [
                _rec(
                    facts,
                    k,
                    h["stage1_cite"],
                    action=Action.MONITOR,
                    drug_class="non-drug therapy",
                    rationale=f"{bp} with 10-year ASCVD risk {risk.text()}% "
                    f"(below {threshold:g}%): lifestyle therapy and reassess",
                    strength="guideline threshold",
                    rule_id="acc-aha-stage1-low-risk",
                )
            ], []
    target = h["target"]
    if on_classes:
        return [
            _rec(
                facts,
                k,
                h["target"]["cite"],
                action=Action.ADJUST,
                drug_class="antihypertensive therapy",
                rationale=f"{bp} on {len(on_classes)} first-line class(es) is above the target "
                f"below {target['systolic_below']}/{target['diastolic_below']}: intensify",
                strength="guideline target",
                rule_id="acc-aha-above-target",
            )
        ], []
    return _first_line(facts, k, bp, cat), []


def _raas_preferred(facts: PatientFacts, k: TreatmentKnowledge) -> bool:
    h = k.guidelines["hypertension"]
    acr = facts.lab("urine_acr")
    albuminuric = "albuminuria" in facts.conditions or (
        acr is not None and acr.at_least(h["albuminuria_acr_at_least_mg_per_g"]) is True
    )
    return albuminuric or "ckd_stage_3_plus" in facts.conditions


def _first_line(
    facts: PatientFacts, k: TreatmentKnowledge, bp: str, cat: str
) -> list[Recommendation]:
    h = k.guidelines["hypertension"]
    if _raas_preferred(facts, k):
        first = _rec(
            facts,
            k,
            h["raas_cite"],
            action=Action.START,
            drug_class=k.classes["ace_inhibitor"].display,
            rationale=f"{bp} with albuminuria or CKD stage 3+: "
            "ACE inhibitor (ARB if not tolerated); never both",
            strength="guideline recommendation",
            rule_id="acc-aha-raas",
        )
    else:
        first = _rec(
            facts,
            k,
            h["first_line_cite"],
            action=Action.START,
            drug_class="thiazide, calcium-channel blocker, ACE inhibitor or ARB",
            rationale=f"{bp}: start a first-line agent",
            strength="guideline recommendation",
            rule_id="acc-aha-first-line",
        )
    if cat != "stage 2":
        return [first]
    second = _rec(
        facts,
        k,
        h["stage2_cite"],
        action=Action.START,
        drug_class="second first-line agent of a different class",
        rationale=f"{bp}: stage 2 is started on two first-line agents of different classes",
        strength="guideline recommendation",
        rule_id="acc-aha-stage2-two-agents",
    )
    return [first, second]
