"""Coverage of a safety review: which drugs were matched, which were not, what knowledge ran."""

from __future__ import annotations

from math import comb

from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.treatment.context import PatientFacts
from medlm.treatment.interactions import interacting_ingredients
from medlm.treatment.results import CoveredDrug, KnowledgeChecked, TreatmentCoverage


def coverage_of(facts: PatientFacts, knowledge: TreatmentKnowledge) -> TreatmentCoverage:
    """The coverage object of a report on these facts, checked against this knowledge."""
    named = interacting_ingredients(knowledge)
    matched = [
        CoveredDrug(
            ingredient=d.ingredient,
            label=d.label,
            classes=knowledge.classes_of(d.ingredient),
            match_type=d.match_type,
            proposed=d.proposed,
            interaction_rules=_rules_naming(knowledge, d.ingredient),
        )
        for d in facts.drugs
    ]
    ingredients = sorted({d.ingredient for d in facts.drugs})
    return TreatmentCoverage(
        matched=matched,
        unmatched=list(facts.unmatched),
        without_interaction_data=[i for i in ingredients if i not in named],
        pairs_checked=comb(len(ingredients), 2),
        knowledge=knowledge_checked(knowledge),
    )


def knowledge_checked(knowledge: TreatmentKnowledge) -> list[KnowledgeChecked]:
    """The tables a full safety review runs, with their versions and sizes."""
    v = knowledge.version
    duplicate_classes = sum(1 for c in knowledge.classes.values() if c.duplicate)
    return [
        KnowledgeChecked(
            table="drug interactions",
            version=knowledge.interactions_version,
            rules=len(knowledge.interactions),
        ),
        KnowledgeChecked(table="duplicate drug classes", version=v, rules=duplicate_classes),
        KnowledgeChecked(table="renal limits", version=v, rules=len(knowledge.renal)),
        KnowledgeChecked(
            table="disease contraindications", version=v, rules=len(knowledge.disease)
        ),
        KnowledgeChecked(table="pregnancy", version=v, rules=len(knowledge.pregnancy)),
        KnowledgeChecked(table="allergy cross-reactivity", version=v, rules=len(knowledge.allergy)),
        KnowledgeChecked(
            table="pharmacogenomics (CPIC)", version=v, rules=len(knowledge.pharmacogenomics)
        ),
    ]


def _rules_naming(knowledge: TreatmentKnowledge, ingredient: str) -> int:
    return sum(
        1
        for rule in knowledge.interactions
        if ingredient in knowledge.expand(rule.a) or ingredient in knowledge.expand(rule.b)
    )
