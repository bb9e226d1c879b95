"""Drug–drug interactions: one function reads the cited interaction table for a patient's drugs.

Each rule of `knowledge/treatment/interactions/*.yaml` names ingredients or `@class` groups on
two sides; it fires for every pair of different active drugs, one matching each side. A rule
with a dose limit (`a_dose_above_mg`) fires only when the `a` drug's dose exceeds it: the
recorded dose, else the strength in the product name (one dose form assumed, and said so);
with neither, the pair is listed as not checked rather than assumed.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from medlm.knowledge.treatment import InteractionRule, TreatmentKnowledge
from medlm.messages import Message, MessageTemplate, empty
from medlm.treatment.context import PatientDrug, PatientFacts
from medlm.treatment.doses import parse_strength

INTERACTION = MessageTemplate(
    id="treatment.interaction",
    text="%(drug_a)s%(dose)s with %(drug_b)s: %(effect)s. Mechanism: %(mechanism)s. "
    "Management: %(management)s",
    quoted=("drug_a", "drug_b", "effect", "mechanism", "management"),
)
INTERACTION_DOSE = MessageTemplate(
    id="treatment.interaction.dose",
    text=" (%(how)s %(mg)s mg, above the %(limit)s mg limit)",
    terms=("how",),
)


class InteractionHit:
    """One rule that fired for an ordered drug pair, and the sentence that explains it."""

    def __init__(self, rule: InteractionRule, a: PatientDrug, b: PatientDrug) -> None:
        self.rule = rule
        self.a = a
        self.b = b

    @property
    def detail(self) -> str:
        return self.message.text

    @property
    def message(self) -> Message:
        """The sentence as a template: the drugs as recorded, the rule's own English wording."""
        rule, a, b = self.rule, self.a, self.b
        dose = empty()
        if rule.a_dose_above_mg is not None:
            mg, how = _dose_of(a)
            assert mg is not None  # the rule fired, so the dose was known
            dose = INTERACTION_DOSE(how=how, mg=mg, limit=rule.a_dose_above_mg)
        return INTERACTION(
            drug_a=a.label,
            dose=dose,
            drug_b=b.label,
            effect=rule.effect,
            mechanism=rule.mechanism,
            management=rule.management,
        )


def find_interactions(
    knowledge: TreatmentKnowledge, facts: PatientFacts, missing: list[str]
) -> list[InteractionHit]:
    """Every rule that fires for the patient's drugs; unchecked dose limits go to `missing`."""
    hits: list[InteractionHit] = []
    for rule in knowledge.interactions:
        a_set, b_set = knowledge.expand(rule.a), knowledge.expand(rule.b)
        for a, b in _pairs(facts.drugs, a_set, b_set):
            if rule.a_dose_above_mg is None or _over_limit(rule, a, b, missing):
                hits.append(InteractionHit(rule, a, b))
    return hits


def _dose_of(drug: PatientDrug) -> tuple[float | None, str]:
    """The recorded dose, else the product strength in the name (one dose form assumed)."""
    if drug.dose_mg is not None:
        return drug.dose_mg, "dose"
    strength = parse_strength(drug.label)
    if strength is not None and strength.unit == "mg":
        return strength.value, "product strength"
    return None, "dose"


def _over_limit(rule: InteractionRule, a: PatientDrug, b: PatientDrug, missing: list[str]) -> bool:
    """Whether `a`'s dose exceeds the rule's limit; an unknown dose is listed in `missing`."""
    assert rule.a_dose_above_mg is not None
    limit = rule.a_dose_above_mg
    mg, how = _dose_of(a)
    if mg is None:
        missing.append(
            f"{a.ingredient} dose not recorded: limit of {limit:g} mg with {b.ingredient} "
            "not checked"
        )
        return False
    if how == "product strength" and mg <= limit:
        missing.append(
            f"{a.ingredient} dosage not recorded: the {mg:g} mg product strength was taken as "
            f"the dose for the {limit:g} mg limit with {b.ingredient} (one dose form assumed)"
        )
    return mg > limit


def _pairs(
    drugs: list[PatientDrug], a_set: set[str], b_set: set[str]
) -> Iterator[tuple[PatientDrug, PatientDrug]]:
    """Each unordered pair of different drugs at most once, oriented so `a` matches `a_set`.

    Two ingredients of one combination product (same medication record) are not a pair.
    """
    for d1, d2 in combinations(drugs, 2):
        if d1.ingredient == d2.ingredient or _same_product(d1, d2):
            continue
        if d1.ingredient in a_set and d2.ingredient in b_set:
            yield d1, d2
        elif d2.ingredient in a_set and d1.ingredient in b_set:
            yield d2, d1


def _same_product(d1: PatientDrug, d2: PatientDrug) -> bool:
    if d1.record_ref is not None or d2.record_ref is not None:
        return d1.record_ref == d2.record_ref
    return d1.label == d2.label


def interacting_ingredients(knowledge: TreatmentKnowledge) -> set[str]:
    """Every ingredient some interaction rule names, directly or through a class."""
    out: set[str] = set()
    for rule in knowledge.interactions:
        out |= knowledge.expand(rule.a) | knowledge.expand(rule.b)
    return out
