"""The safety engine: interactions, contraindications, kidney, allergy, pregnancy, duplicates, PGx.

Each check reads the cited rules in `knowledge/treatment/` and returns `SafetyIssue`s with
severity, the drugs implicated, a reason in the patient's own values and the citation; data a
rule needs but the patient's record lacks is returned as a `missing` line instead of assumed.
"""

from __future__ import annotations

from collections.abc import Callable

from medlm.knowledge.treatment import AllergyRule, TreatmentKnowledge
from medlm.messages import Message, MessageTemplate
from medlm.treatment.context import PatientDrug, PatientFacts
from medlm.treatment.interactions import find_interactions
from medlm.treatment.labs import lab_param
from medlm.treatment.pgx import check_pharmacogenomics
from medlm.treatment.results import SEVERITY_RANK, IssueKind, SafetyIssue, Severity

PregnancyCategories = Callable[[str], str | None]

# The sentences of each check: the drug as the record names it, the patient's value, and the
# cited rule's own English wording (`reason`), which stays as cited.
DUPLICATE = MessageTemplate(
    id="treatment.safety.duplicate",
    text="two or more %(drug_class)ss at once: %(names)s",
    terms=("drug_class",),
    quoted=("names",),
)
RENAL = MessageTemplate(
    id="treatment.safety.renal",
    text="%(drug)s with eGFR %(egfr)s: %(reason)s",
    quoted=("drug", "reason"),
)
DISEASE = MessageTemplate(
    id="treatment.safety.disease",
    text="%(drug)s with %(condition)s: %(reason)s",
    terms=("condition",),
    quoted=("drug", "reason"),
)
PREGNANCY = MessageTemplate(
    id="treatment.safety.pregnancy",
    text="%(drug)s in pregnancy: %(reason)s",
    quoted=("drug", "reason"),
)
ALLERGY = MessageTemplate(
    id="treatment.safety.allergy",
    text="%(drug)s with a recorded allergy to %(allergen)s: %(reason)s",
    terms=("allergen",),
    quoted=("drug", "reason"),
)


class SafetyEngine:
    """Check a patient's current and proposed drugs against the treatment knowledge."""

    def __init__(
        self,
        knowledge: TreatmentKnowledge,
        pregnancy_categories: PregnancyCategories | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.pregnancy_categories = pregnancy_categories

    def check(self, facts: PatientFacts) -> tuple[list[SafetyIssue], list[str]]:
        """All issues (most severe first) and the missing-data lines for this patient."""
        issues: list[SafetyIssue] = []
        missing: list[str] = []
        issues += self._interactions(facts, missing)
        issues += self._duplicates(facts)
        issues += self._renal(facts, missing)
        issues += self._disease(facts)
        issues += self._pregnancy(facts, missing)
        issues += self._allergy(facts)
        pgx_issues, pgx_missing = check_pharmacogenomics(self.knowledge, facts)
        issues += pgx_issues
        missing += pgx_missing
        issues.sort(key=lambda i: (SEVERITY_RANK[i.severity], i.kind.value, i.drugs))
        return _unique(issues), list(dict.fromkeys(missing))

    def _issue(
        self, facts: PatientFacts, drugs: list[PatientDrug], message: Message, **fields: object
    ) -> SafetyIssue:
        return SafetyIssue(
            patient_id=facts.patient_id,
            drugs=sorted({d.ingredient for d in drugs}),
            proposed=any(d.proposed for d in drugs),
            references=sorted({d.record_ref for d in drugs if d.record_ref}),
            detail=message.text,
            message=message.ref,
            **fields,
        )

    def _interactions(self, facts: PatientFacts, missing: list[str]) -> list[SafetyIssue]:
        return [
            self._issue(
                facts,
                [hit.a, hit.b],
                hit.message,
                severity=Severity(hit.rule.severity),
                kind=IssueKind.INTERACTION,
                citation=hit.rule.cite,
                rule_id=hit.rule.id,
            )
            for hit in find_interactions(self.knowledge, facts, missing)
        ]

    def _duplicates(self, facts: PatientFacts) -> list[SafetyIssue]:
        out = []
        for cls in self.knowledge.classes.values():
            if not cls.duplicate:
                continue
            members = [d for d in facts.drugs if d.ingredient in cls.members]
            if len({d.ingredient for d in members}) < 2:
                continue
            names = ", ".join(sorted({d.label for d in members}))
            out.append(
                self._issue(
                    facts,
                    members,
                    DUPLICATE(drug_class=cls.display, names=names),
                    severity=Severity.MODERATE,
                    kind=IssueKind.DUPLICATE,
                    citation=cls.cite,
                    rule_id=f"duplicate-{cls.id}",
                )
            )
        return out

    def _renal(self, facts: PatientFacts, missing: list[str]) -> list[SafetyIssue]:
        out = []
        egfr = facts.lab("egfr")
        for rule in self.knowledge.renal:
            targets = self.knowledge.expand(rule.drugs)
            for drug in facts.drugs:
                if drug.ingredient not in targets or (
                    rule.applies_to == "new" and not drug.proposed
                ):
                    continue
                if egfr is None:
                    missing.append(f"eGFR not available: {drug.ingredient} kidney limits unknown")
                    continue
                applies = egfr.within(rule.egfr_from, rule.egfr_below)
                if applies is None:
                    band = (
                        f"{rule.egfr_from:g}–{rule.egfr_below:g}"
                        if rule.egfr_from is not None
                        else f"below {rule.egfr_below:g}"
                    )
                    missing.append(
                        f"eGFR {egfr.text()} cannot tell whether the {drug.ingredient} limit "
                        f"for eGFR {band} applies: not checked"
                    )
                elif applies:
                    out.append(
                        self._issue(
                            facts,
                            [drug],
                            RENAL(drug=drug.label, egfr=lab_param(egfr), reason=rule.reason),
                            severity=Severity(rule.severity),
                            kind=IssueKind(rule.kind),
                            citation=rule.cite,
                            rule_id=rule.id,
                        )
                    )
        return out

    def _disease(self, facts: PatientFacts) -> list[SafetyIssue]:
        out = []
        for rule in self.knowledge.disease:
            if rule.condition not in facts.conditions:
                continue
            targets = self.knowledge.expand(rule.drugs)
            for drug in facts.drugs:
                if drug.ingredient in targets:
                    out.append(
                        self._issue(
                            facts,
                            [drug],
                            DISEASE(
                                drug=drug.label,
                                condition=rule.condition.replace("_", " "),
                                reason=rule.reason,
                            ),
                            severity=Severity(rule.severity),
                            kind=IssueKind.CONTRAINDICATION,
                            citation=rule.cite,
                            rule_id=rule.id,
                        )
                    )
        return out

    def _pregnancy(self, facts: PatientFacts, missing: list[str]) -> list[SafetyIssue]:
        out = []
        flagged: set[str] = set()
        for rule in self.knowledge.pregnancy:
            targets = self.knowledge.expand(rule.drugs)
            for drug in facts.drugs:
                if drug.ingredient not in targets:
                    continue
                if facts.pregnant is None:
                    missing.append(
                        f"pregnancy status not recorded: {drug.ingredient} "
                        "pregnancy check not applied"
                    )
                elif facts.pregnant:
                    flagged.add(drug.ingredient)
                    out.append(
                        self._issue(
                            facts,
                            [drug],
                            PREGNANCY(drug=drug.label, reason=rule.reason),
                            severity=Severity(rule.severity),
                            kind=IssueKind.PREGNANCY,
                            citation=rule.cite,
                            rule_id=rule.id,
                        )
                    )
        if facts.pregnant and self.pregnancy_categories is not None:
            out += self._who_categories(facts, flagged)
        return out

    def _who_categories(self, facts: PatientFacts, flagged: set[str]) -> list[SafetyIssue]:
        assert self.pregnancy_categories is not None
        from medlm.treatment.who_eml import category_issue

        out = []
        for drug in facts.drugs:
            category = self.pregnancy_categories(drug.ingredient)
            if drug.ingredient in flagged or category is None:
                continue
            issue = category_issue(facts.patient_id, drug, category, self.knowledge)
            if issue is not None:
                out.append(issue)
        return out

    def _allergy(self, facts: PatientFacts) -> list[SafetyIssue]:
        out = []
        for allergen in facts.allergies:
            for drug in facts.drugs:
                rule = self._allergy_rule(allergen, drug.ingredient)
                if rule is None:
                    continue
                out.append(
                    self._issue(
                        facts,
                        [drug],
                        ALLERGY(drug=drug.label, allergen=allergen, reason=rule.reason),
                        severity=Severity(rule.severity),
                        kind=IssueKind.ALLERGY,
                        citation=rule.cite,
                        rule_id=rule.id,
                    )
                )
        return out

    def _allergy_rule(self, allergen: str, ingredient: str) -> AllergyRule | None:
        for rule in self.knowledge.allergy:
            if rule.allergen == ["*"]:
                if allergen == ingredient:
                    return rule
            elif allergen in self.knowledge.expand(rule.allergen) and ingredient in (
                self.knowledge.expand(rule.drugs)
            ):
                return rule
        return None


def _unique(issues: list[SafetyIssue]) -> list[SafetyIssue]:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    out = []
    for issue in issues:
        key = (issue.rule_id, tuple(issue.drugs))
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out
