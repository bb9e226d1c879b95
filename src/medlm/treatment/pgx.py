"""Genotype conflicts: CPIC gene–drug rules applied to a patient's drugs and phenotypes."""

from __future__ import annotations

from medlm.knowledge.treatment import PgxRule, PhenotypeAdvice, TreatmentKnowledge
from medlm.treatment.context import PatientDrug, PatientFacts
from medlm.treatment.results import IssueKind, SafetyIssue, Severity


def advice_for(rule: PgxRule, phenotype: str) -> PhenotypeAdvice | None:
    """The CPIC advice for a normalised phenotype, or None when the rule does not list it."""
    if rule.any_result is not None:
        return rule.any_result
    return rule.phenotypes.get(phenotype)


def _detail(drug: PatientDrug, rule: PgxRule, phenotype: str, advice: PhenotypeAdvice) -> str:
    text = f"{drug.label} with {rule.gene} {phenotype or 'result'}: {advice.guidance}"
    if advice.max_daily_dose_mg_below is not None and drug.dose_mg is not None:
        text += f" (recorded dose {drug.dose_mg:g} mg)"
    if rule.indication_note:
        text += f" [{rule.indication_note}]"
    return text


def check_pharmacogenomics(
    knowledge: TreatmentKnowledge, facts: PatientFacts
) -> tuple[list[SafetyIssue], list[str]]:
    """Issues for drugs whose CPIC rule flags the patient's phenotype, and missing results."""
    issues: list[SafetyIssue] = []
    missing: list[str] = []
    for rule in knowledge.pharmacogenomics:
        for drug in facts.drugs:
            if drug.ingredient not in rule.drugs:
                continue
            if rule.gene not in facts.phenotypes:
                missing.append(
                    f"no {rule.gene} result: CPIC guidance for {drug.ingredient} not applied"
                )
                continue
            phenotype = facts.phenotypes[rule.gene]
            advice = advice_for(rule, phenotype)
            if advice is None:
                missing.append(
                    f"{rule.gene} phenotype {phenotype!r} not interpretable: "
                    f"CPIC guidance for {drug.ingredient} not applied"
                )
                continue
            if advice.severity is None:
                continue
            below = advice.max_daily_dose_mg_below
            if (
                below is not None
                and advice.action == "adjust"
                and drug.dose_mg is not None
                and drug.dose_mg < below
            ):
                continue  # the dose already respects the CPIC limit
            issues.append(
                SafetyIssue(
                    patient_id=facts.patient_id,
                    severity=Severity(advice.severity),
                    kind=IssueKind.PHARMACOGENOMIC,
                    drugs=[drug.ingredient],
                    detail=_detail(drug, rule, phenotype, advice),
                    citation=rule.cite,
                    rule_id=rule.id,
                    proposed=drug.proposed,
                    references=[drug.record_ref] if drug.record_ref else [],
                )
            )
    return issues, missing
