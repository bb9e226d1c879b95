"""What every guideline branch shares: the draft type, a cited Recommendation, class membership."""

from __future__ import annotations

from typing import Any

from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.treatment.context import PatientFacts
from medlm.treatment.results import Recommendation

Drafts = tuple[list[Recommendation], list[str]]


def rec(
    facts: PatientFacts, k: TreatmentKnowledge, cite: dict[str, Any], **kw: Any
) -> Recommendation:
    """A Recommendation for this patient citing a `{source, section, verification}` mapping."""
    return Recommendation(patient_id=facts.patient_id, citation=k.cite(cite), **kw)


def members(k: TreatmentKnowledge, class_ids: list[str]) -> set[str]:
    """The ingredients of the named drug classes."""
    return set().union(*(k.classes[c].members for c in class_ids))


def on_class(facts: PatientFacts, k: TreatmentKnowledge, class_ids: list[str]) -> bool:
    """Whether the patient takes (or is proposed) a drug of any of these classes."""
    return bool(facts.ingredients() & members(k, class_ids))


def taking(facts: PatientFacts, k: TreatmentKnowledge, class_ids: list[str]) -> list[str]:
    """The patient's current (not proposed) ingredients in these classes, sorted."""
    return sorted(facts.ingredients(include_proposed=False) & members(k, class_ids))
