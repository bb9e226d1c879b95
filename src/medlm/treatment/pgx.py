"""Genotype conflicts: CPIC gene–drug rules applied to a patient's drugs and phenotypes."""

from __future__ import annotations

from medlm.knowledge.treatment import PgxRule, PhenotypeAdvice, TreatmentKnowledge
from medlm.messages import Message, MessageTemplate, empty
from medlm.treatment.context import PatientDrug, PatientFacts
from medlm.treatment.results import IssueKind, SafetyIssue, Severity


def advice_for(rule: PgxRule, phenotype: str) -> PhenotypeAdvice | None:
    """The CPIC advice for a normalised phenotype, or None when the rule does not list it."""
    if rule.any_result is not None:
        return rule.any_result
    return rule.phenotypes.get(phenotype)


# The drug as recorded, the gene and phenotype as reported, CPIC's own English guidance.
PGX = MessageTemplate(
    id="treatment.pgx",
    text="%(drug)s with %(gene)s %(phenotype)s: %(guidance)s%(dose)s%(note)s",
    terms=("phenotype",),
    quoted=("drug", "guidance"),
)
PGX_RESULT = MessageTemplate(
    id="treatment.pgx.result",
    text="%(drug)s with %(gene)s result: %(guidance)s%(dose)s%(note)s",
    quoted=("drug", "guidance"),
)
PGX_DOSE = MessageTemplate(id="treatment.pgx.dose", text=" (recorded dose %(mg)s mg)")
PGX_NOTE = MessageTemplate(id="treatment.pgx.note", text=" [%(note)s]", quoted=("note",))


def _detail(drug: PatientDrug, rule: PgxRule, phenotype: str, advice: PhenotypeAdvice) -> Message:
    dose = empty()
    if advice.max_daily_dose_mg_below is not None and drug.dose_mg is not None:
        dose = PGX_DOSE(mg=drug.dose_mg)
    note = PGX_NOTE(note=rule.indication_note) if rule.indication_note else empty()
    said: dict[str, str | Message] = {
        "drug": drug.label,
        "gene": rule.gene,
        "guidance": f"{advice.guidance}",
        "dose": dose,
        "note": note,
    }
    return PGX(phenotype=phenotype, **said) if phenotype else PGX_RESULT(**said)


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
            detail = _detail(drug, rule, phenotype, advice)
            issues.append(
                SafetyIssue(
                    patient_id=facts.patient_id,
                    severity=Severity(advice.severity),
                    kind=IssueKind.PHARMACOGENOMIC,
                    drugs=[drug.ingredient],
                    detail=detail.text,
                    message=detail.ref,
                    citation=rule.cite,
                    rule_id=rule.id,
                    proposed=drug.proposed,
                    references=[drug.record_ref] if drug.record_ref else [],
                )
            )
    return issues, missing
