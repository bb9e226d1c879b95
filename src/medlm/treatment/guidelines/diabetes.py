"""ADA type 2 diabetes branch: cardiorenal agents, metformin and kidney function, HbA1c target.

Reads `PatientFacts` and `guidelines.yaml` (section `diabetes`) and returns draft
`Recommendation`s (rationale written from the patient's values) plus the missing-data lines for
what it could not decide.
"""

from __future__ import annotations

from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.messages import Message, MessageTemplate, empty
from medlm.treatment.context import PatientFacts
from medlm.treatment.guidelines.common import Drafts
from medlm.treatment.guidelines.common import on_class as _on_class
from medlm.treatment.guidelines.common import rec as _rec
from medlm.treatment.labs import LabValue, lab_param
from medlm.treatment.results import Action, Recommendation

CARDIORENAL = MessageTemplate(
    id="treatment.ada.cardiorenal",
    text="type 2 diabetes with %(condition)s%(egfr)s: an agent with proven cardiorenal benefit, "
    "whether or not metformin is used",
    terms=("condition",),
)
CARDIORENAL_EGFR = MessageTemplate(id="treatment.ada.cardiorenal-egfr", text=" (eGFR %(egfr)s)")
# Metformin and kidney function: one sentence per decision (`stop`, `start`: the eGFR limits).
METFORMIN = {
    "stop": MessageTemplate(
        id="treatment.ada.metformin-stop", text="eGFR %(egfr)s is below %(stop)s: stop metformin"
    ),
    "avoid": MessageTemplate(
        id="treatment.ada.metformin-avoid",
        text="eGFR %(egfr)s is below %(stop)s: metformin is contraindicated",
    ),
    "reassess": MessageTemplate(
        id="treatment.ada.metformin-reassess",
        text="eGFR %(egfr)s is %(stop)s–%(upper)s: reassess benefit and dose",
    ),
    "no-start": MessageTemplate(
        id="treatment.ada.metformin-no-start",
        text="eGFR %(egfr)s is %(stop)s–%(upper)s: do not start metformin",
    ),
    "start": MessageTemplate(
        id="treatment.ada.metformin-start",
        text="eGFR %(egfr)s is above the kidney limits: metformin is an effective, inexpensive "
        "option",
    ),
}
HBA1C_ABOVE = MessageTemplate(
    id="treatment.ada.hba1c-above-target",
    text="HbA1c %(value)s% is at or above the individual target below %(target)s% (%(why)s): "
    "intensify treatment",
)
HBA1C_AGE = MessageTemplate(id="treatment.ada.hba1c-age", text="age %(age)s")
HBA1C_GENERAL = MessageTemplate(id="treatment.ada.hba1c-general", text="general adult target")


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
        said_egfr = (
            CARDIORENAL_EGFR(egfr=lab_param(egfr)) if key == "ckd" and egfr is not None else empty()
        )
        why = CARDIORENAL(condition=said, egfr=said_egfr)
        recs.append(
            _rec(
                facts,
                k,
                rule["cite"],
                action=Action.START,
                drug_class=names,
                rationale=why.text,
                message=why.ref,
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
    value = lab_param(egfr)
    text: Message
    if below_stop:
        action, rule = (Action.STOP, "ada-metformin-stop") if on else (
            Action.AVOID, "ada-metformin-avoid")  # fmt: skip
        text = METFORMIN["stop" if on else "avoid"](egfr=value, stop=f"{stop}")
    elif below_start:
        action, rule = (Action.ADJUST if on else Action.AVOID), "ada-metformin-egfr-30-44"
        said = METFORMIN["reassess" if on else "no-start"]
        text = said(egfr=value, stop=f"{stop}", upper=f"{no_start - 1}")
    elif not on:
        action, rule = Action.START, "ada-metformin-start"
        text = METFORMIN["start"](egfr=value)
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
            rationale=text.text,
            message=text.ref,
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
    why = HBA1C_AGE(age=facts.age) if relaxed and facts.age is not None else HBA1C_GENERAL()
    said = HBA1C_ABOVE(value=lab_param(value), target=target, why=why)
    return [
        _rec(
            facts,
            k,
            t["cite"],
            action=Action.ADJUST,
            drug_class="glucose-lowering therapy",
            rationale=said.text,
            message=said.ref,
            strength="individualised target",
            rule_id="ada-hba1c-target",
        )
    ]
