"""ACC/AHA 2017 blood pressure branch, on the mean of recent readings.

Category from the mean BP (`bp_readings.mean_bp`); drug threshold; first-line classes and the
RAAS preference; two agents in stage 2. A patient on any antihypertensive class
(`hypertension.antihypertensive_classes`, verapamil and diltiazem included) is never told to
start one, and a mean below the drug threshold never starts one. A mean of fewer readings or
occasions than the guideline asks for gives 'confirm' instead of a start or a change.
"""

from __future__ import annotations

from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.messages import Message, MessageTemplate, joined_with_semicolons
from medlm.treatment.context import PatientFacts
from medlm.treatment.guidelines.bp_readings import MeanBP
from medlm.treatment.guidelines.common import Drafts, on_class, rec
from medlm.treatment.labs import lab_param
from medlm.treatment.results import Action, Recommendation

# The ACC/AHA 2017 categories (guidelines.yaml `hypertension.categories`) as words of their own.
CATEGORY = {
    name: MessageTemplate(id=f"treatment.htn.category-{name.replace(' ', '-')}", text=name)
    for name in ("normal", "elevated", "stage 1", "stage 2")
}
MEAN_BP = MessageTemplate(
    id="treatment.htn.mean-bp", text="BP %(systolic)s/%(diastolic)s mmHg (%(category)s), %(basis)s"
)
CONFIRM = MessageTemplate(
    id="treatment.htn.confirm",
    text="%(bp)s: the guideline estimates BP from the mean of at least %(readings)s readings on "
    "at least %(occasions)s occasions; confirm before starting or changing drugs "
    "(would be: %(would)s)",
)
LOW_RISK = MessageTemplate(
    id="treatment.htn.stage1-low-risk",
    text="%(bp)s with 10-year ASCVD risk %(risk)s% (below %(threshold)s%): lifestyle therapy and "
    "reassess",
)
ABOVE_TARGET = MessageTemplate(
    id="treatment.htn.above-target",
    text="%(bp)s on %(count)s antihypertensive class(es) (%(names)s) is above the target below "
    "%(systolic)s/%(diastolic)s: intensify",
    quoted=("names",),
)
RAAS = MessageTemplate(
    id="treatment.htn.raas",
    text="%(bp)s with albuminuria or CKD stage 3+: ACE inhibitor (ARB if not tolerated); "
    "never both",
)
FIRST_LINE = MessageTemplate(id="treatment.htn.first-line", text="%(bp)s: start a first-line agent")
STAGE2_TWO = MessageTemplate(
    id="treatment.htn.stage2-two-agents",
    text="%(bp)s: stage 2 is started on two first-line agents of different classes",
)


def bp_category(sbp: float, dbp: float, k: TreatmentKnowledge) -> str:
    """ACC/AHA 2017 category; the higher of the systolic and diastolic categories."""
    for cat in k.guidelines["hypertension"]["categories"]:
        if "systolic_below" not in cat or (
            sbp < cat["systolic_below"] and dbp < cat["diastolic_below"]
        ):
            return str(cat["name"])
    raise AssertionError("the last BP category has no bound")


def hypertension(facts: PatientFacts, k: TreatmentKnowledge, bp: MeanBP | None) -> Drafts:
    """ACC/AHA 2017 on the mean BP; unconfirmed means turn a start or change into 'confirm'."""
    if bp is None:
        need = "hypertension" in facts.conditions
        return [], (
            ["blood pressure not available: hypertension rules not applied"] if need else []
        )
    cat = bp_category(bp.systolic, bp.diastolic, k)
    said = MEAN_BP(
        systolic=bp.systolic, diastolic=bp.diastolic, category=CATEGORY[cat](), basis=bp.said()
    )
    recs, missing = _decide(facts, k, cat, said)
    if bp.confirmed or not any(r.action in (Action.START, Action.ADJUST) for r in recs):
        return recs, missing
    readings = k.guidelines["hypertension"]["readings"]
    confirm_said = CONFIRM(
        bp=said,
        readings=f"{readings['min_readings']}",
        occasions=f"{readings['min_occasions']}",
        would=_joined([r for r in recs if r.action in (Action.START, Action.ADJUST)]),
    )
    confirm = rec(
        facts,
        k,
        readings["cite"],
        action=Action.MONITOR,
        drug_class="antihypertensive therapy",
        rationale=confirm_said.text,
        message=confirm_said.ref,
        strength="guideline recommendation on BP measurement",
        rule_id="acc-aha-confirm-bp",
    )
    kept = [r for r in recs if r.action not in (Action.START, Action.ADJUST)]
    return [*kept, confirm], missing


def _joined(recs: list[Recommendation]) -> Message:
    """The rationales joined with '; ' (each a message: every rationale here has one)."""
    said = [Message(text=r.rationale, ref=r.message) for r in recs if r.message is not None]
    assert len(said) == len(recs), "a hypertension rationale without its message"
    return joined_with_semicolons(said)


def _decide(facts: PatientFacts, k: TreatmentKnowledge, cat: str, bp: Message) -> Drafts:
    h = k.guidelines["hypertension"]
    if cat in {"normal", "elevated"}:
        return [], []
    if facts.pregnant:
        return [], ["pregnancy: the general ACC/AHA 2017 first-line drug logic is not applied"]
    on_classes = [c for c in h["antihypertensive_classes"] if on_class(facts, k, [c])]
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
            why = LOW_RISK(bp=bp, risk=lab_param(risk), threshold=threshold)
            return [
                rec(
                    facts,
                    k,
                    h["stage1_cite"],
                    action=Action.MONITOR,
                    drug_class="non-drug therapy",
                    rationale=why.text,
                    message=why.ref,
                    strength="guideline threshold",
                    rule_id="acc-aha-stage1-low-risk",
                )
            ], []
    if on_classes:
        return [_intensify(facts, k, bp, on_classes)], []
    return _first_line(facts, k, bp, cat), []


def _intensify(
    facts: PatientFacts, k: TreatmentKnowledge, bp: Message, on_classes: list[str]
) -> Recommendation:
    target = k.guidelines["hypertension"]["target"]
    names = ", ".join(k.classes[c].display for c in on_classes)
    why = ABOVE_TARGET(
        bp=bp,
        count=len(on_classes),
        names=names,
        systolic=f"{target['systolic_below']}",
        diastolic=f"{target['diastolic_below']}",
    )
    return rec(
        facts,
        k,
        target["cite"],
        action=Action.ADJUST,
        drug_class="antihypertensive therapy",
        rationale=why.text,
        message=why.ref,
        strength="guideline target",
        rule_id="acc-aha-above-target",
    )


def _raas_preferred(facts: PatientFacts, k: TreatmentKnowledge) -> bool:
    h = k.guidelines["hypertension"]
    acr = facts.lab("urine_acr")
    albuminuric = "albuminuria" in facts.conditions or (
        acr is not None and acr.at_least(h["albuminuria_acr_at_least_mg_per_g"]) is True
    )
    return albuminuric or "ckd_stage_3_plus" in facts.conditions


def _first_line(
    facts: PatientFacts, k: TreatmentKnowledge, bp: Message, cat: str
) -> list[Recommendation]:
    h = k.guidelines["hypertension"]
    if _raas_preferred(facts, k):
        first = rec(
            facts,
            k,
            h["raas_cite"],
            action=Action.START,
            drug_class=k.classes["ace_inhibitor"].display,
            rationale=RAAS(bp=bp).text,
            message=RAAS(bp=bp).ref,
            strength="guideline recommendation",
            rule_id="acc-aha-raas",
        )
    else:
        first = rec(
            facts,
            k,
            h["first_line_cite"],
            action=Action.START,
            drug_class="thiazide, calcium-channel blocker, ACE inhibitor or ARB",
            rationale=FIRST_LINE(bp=bp).text,
            message=FIRST_LINE(bp=bp).ref,
            strength="guideline recommendation",
            rule_id="acc-aha-first-line",
        )
    if cat != "stage 2":
        return [first]
    second = rec(
        facts,
        k,
        h["stage2_cite"],
        action=Action.START,
        drug_class="second first-line agent of a different class",
        rationale=STAGE2_TWO(bp=bp).text,
        message=STAGE2_TWO(bp=bp).ref,
        strength="guideline recommendation",
        rule_id="acc-aha-stage2-two-agents",
    )
    return [first, second]
