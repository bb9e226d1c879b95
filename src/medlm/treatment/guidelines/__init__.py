"""Guideline branches: every chronic-condition rule set run for one patient, with duplicates merged.

One module per guideline: `diabetes` (ADA), `hypertension` (ACC/AHA 2017, on the mean of recent
readings from `bp_readings`), `af` (2023 ACC/AHA/ACCP/HRS, scores in `scores`),
`heart_failure` (2022 AHA/ACC/HFSA HFrEF), `ckd` (KDIGO 2024) and `medlm.treatment.lipids`
(ACC/AHA 2018 statins). Each returns draft `Recommendation`s and the lines it could not decide;
`apply` runs them all.
"""

from __future__ import annotations

from datetime import datetime

from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.messages import Message, MessageTemplate
from medlm.records import PatientRecord
from medlm.treatment.context import PatientFacts
from medlm.treatment.guidelines.af import atrial_fibrillation
from medlm.treatment.guidelines.bp_readings import MeanBP, mean_bp
from medlm.treatment.guidelines.ckd import ckd
from medlm.treatment.guidelines.common import Drafts
from medlm.treatment.guidelines.diabetes import diabetes
from medlm.treatment.guidelines.heart_failure import heart_failure
from medlm.treatment.guidelines.hypertension import bp_category, hypertension
from medlm.treatment.lipids import statins
from medlm.treatment.results import Action, Recommendation


def apply(
    record: PatientRecord, facts: PatientFacts, k: TreatmentKnowledge, as_of: datetime
) -> Drafts:
    """All guideline branches for one patient at `as_of`: drafts and what could not be decided."""
    bp, missing = mean_bp(record, as_of, k.guidelines["hypertension"]["readings"])
    drafts: list[Recommendation] = []
    for recs, miss in (
        diabetes(facts, k),
        hypertension(facts, k, bp),
        statins(facts, k),
        atrial_fibrillation(facts, k),
        heart_failure(facts, k),
        ckd(facts, k),
    ):
        drafts += recs
        missing += miss
    return _merge_starts(drafts, k), missing


def _class_key(text: str, k: TreatmentKnowledge) -> str:
    """The drug classes a start names ('SGLT2 inhibitor (dapagliflozin ...)' -> sglt2_inhibitor)."""
    named = sorted(cid for cid, c in k.classes.items() if c.display.lower() in text.lower())
    return ",".join(named) or text.lower()


ALSO = MessageTemplate(
    id="treatment.guideline.also", text="%(first)s; also %(rule)s: %(rationale)s"
)


def _also(first: Recommendation, later: Recommendation) -> dict[str, object]:
    """The merged rationale (a message too when both rationales are messages)."""
    rationale = f"{first.rationale}; also {later.rule_id}: {later.rationale}"
    if first.message is None or later.message is None:
        return {"rationale": rationale, "message": None}
    said = ALSO(
        first=Message(text=first.rationale, ref=first.message),
        rule=later.rule_id,
        rationale=Message(text=later.rationale, ref=later.message),
    )
    return {"rationale": said.text, "message": said.ref}


def _merge_starts(drafts: list[Recommendation], k: TreatmentKnowledge) -> list[Recommendation]:
    """One start per drug class: a later rule for the same class is named in the first one."""
    kept: dict[str, Recommendation] = {}
    out: list[Recommendation] = []
    for r in drafts:
        key = _class_key(r.drug_class, k) if r.drug_class else ""
        if r.action != Action.START or not key or r.drug:
            out.append(r)
            continue
        first = kept.get(key)
        if first is None:
            kept[key] = r
            out.append(r)
            continue
        merged = first.model_copy(update=_also(first, r))
        out[out.index(first)] = merged
        kept[key] = merged
    return out


__all__ = [
    "Drafts",
    "MeanBP",
    "apply",
    "atrial_fibrillation",
    "bp_category",
    "ckd",
    "diabetes",
    "heart_failure",
    "hypertension",
    "mean_bp",
]
