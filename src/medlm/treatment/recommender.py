"""TreatmentRecommender: guideline and CPIC recommendations, each re-checked for safety."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from medlm.knowledge.treatment import TreatmentKnowledge, load_treatment_knowledge
from medlm.knowledge.treatment.oncology import load_oncology_knowledge
from medlm.messages import MessageTemplate
from medlm.records import PatientRecord
from medlm.records.timing import resolve_as_of
from medlm.treatment import guidelines
from medlm.treatment.context import PatientDrug, PatientFacts, not_recorded, read_facts
from medlm.treatment.coverage import coverage_of
from medlm.treatment.drugs import DrugMatcher
from medlm.treatment.labs import lab_windows
from medlm.treatment.oncology import targeted_therapies
from medlm.treatment.pgx import advice_for
from medlm.treatment.results import Action, Recommendation, SafetyIssue, TreatmentReport
from medlm.treatment.safety import PregnancyCategories, SafetyEngine

_ACTION_RANK = {
    Action.STOP: 0,
    Action.AVOID: 1,
    Action.START: 2,
    Action.ADJUST: 3,
    Action.MONITOR: 4,
}


# CPIC's own English guidance is quoted; the gene and phenotype as the result reports them.
PGX_ADVICE = MessageTemplate(
    id="treatment.recommend.pgx",
    text="%(gene)s %(phenotype)s: %(guidance)s",
    terms=("phenotype",),
    quoted=("guidance",),
)
PGX_ALTERNATIVE = MessageTemplate(
    id="treatment.recommend.pgx-alternative",
    text="%(gene)s %(phenotype)s: use an alternative to %(drug)s",
    terms=("phenotype", "drug"),
)


class TreatmentRecommender:
    """Ranked, cited recommendations and safety issues for one PatientRecord at a time.

    Construct once (it loads the knowledge files; the drug dictionary loads on first use) and
    call `recommend` per patient at an as-of time. `pregnancy_categories` optionally adds the
    WHO essential-medicines pregnancy categories (see `medlm.treatment.who_eml`);
    `freshness_days` overrides the concept library's freshness windows (settings
    `records.freshness_days`).
    """

    def __init__(
        self,
        knowledge: TreatmentKnowledge | None = None,
        pregnancy_categories: PregnancyCategories | None = None,
        freshness_days: Mapping[str, float] | None = None,
    ) -> None:
        self.knowledge = knowledge or load_treatment_knowledge()
        known = {m for c in self.knowledge.classes.values() for m in c.members}
        self.matcher = DrugMatcher(known_ingredients=known)
        self.safety = SafetyEngine(self.knowledge, pregnancy_categories)
        self.windows = lab_windows(freshness_days)

    def facts(self, record: PatientRecord, as_of: datetime | date | None = None) -> PatientFacts:
        """What the rules read about the patient at `as_of` (default now)."""
        when = resolve_as_of(as_of)
        return read_facts(record, self.knowledge, self.matcher, when, self.windows)

    def check(
        self,
        record: PatientRecord,
        as_of: datetime | date | None = None,
        unread: Sequence[str] = (),
    ) -> TreatmentReport:
        """Safety issues only (e.g. for an order being signed).

        `unread` lists what the records boundary could not read about this patient (see
        `medlm.treatment.inputs`); it is reported among what could not be checked.
        """
        facts = self.facts(record, as_of)
        issues, missing = self.safety.check(facts)
        return self._report(facts, [], issues, [*unread, *missing])

    def recommend(
        self,
        record: PatientRecord,
        as_of: datetime | date | None = None,
        unread: Sequence[str] = (),
    ) -> TreatmentReport:
        """Recommendations (ranked), safety issues and what could not be checked."""
        when = resolve_as_of(as_of)
        facts = self.facts(record, when)
        issues, missing = self.safety.check(facts)
        missing = [*unread, *missing, *not_recorded(record, facts.drugs, facts.conditions)]
        drafts, more = guidelines.apply(record, facts, self.knowledge, when)
        missing += more
        drafts += self._pgx_recommendations(facts, issues)
        targeted, said = targeted_therapies(record, facts.conditions, load_oncology_knowledge())
        drafts += targeted
        missing += said
        stopping: set[str | None] = {
            r.drug for r in drafts if r.drug and r.action in (Action.STOP, Action.AVOID)
        }
        checked = [self._recheck(facts, r, stopping) for r in drafts]
        checked.sort(key=lambda r: (r.blocked, _ACTION_RANK[r.action], r.rule_id))
        return self._report(facts, checked, issues, missing)

    def _report(
        self,
        facts: PatientFacts,
        recs: list[Recommendation],
        issues: list[SafetyIssue],
        missing: list[str],
    ) -> TreatmentReport:
        could_not = [*missing, *facts.missing, *facts.unmatched]
        return TreatmentReport(
            patient_id=facts.patient_id,
            recommendations=recs,
            issues=issues,
            missing=list(dict.fromkeys(could_not)),
            unmatched=facts.unmatched,
            notes=facts.notes,
            knowledge_version=self.knowledge.version,
            coverage=coverage_of(facts, self.knowledge),
        )

    def _pgx_recommendations(
        self, facts: PatientFacts, issues: list[SafetyIssue]
    ) -> list[Recommendation]:
        out: list[Recommendation] = []
        flagged = {(i.rule_id, i.drugs[0]) for i in issues if i.kind.value == "pharmacogenomic"}
        for rule in self.knowledge.pharmacogenomics:
            for drug in facts.drugs:
                if (rule.id, drug.ingredient) not in flagged:
                    continue
                advice = advice_for(rule, facts.phenotypes.get(rule.gene, ""))
                if advice is None:
                    continue
                pheno = facts.phenotypes.get(rule.gene) or "result"
                action = Action(advice.action)
                if action == Action.AVOID and not drug.proposed:
                    action = Action.STOP
                base = {
                    "patient_id": facts.patient_id,
                    "citation": rule.cite,
                    "strength": f"CPIC {advice.strength}",
                    "rule_id": rule.id,
                }
                said = PGX_ADVICE(gene=rule.gene, phenotype=pheno, guidance=f"{advice.guidance}")
                out.append(
                    Recommendation(
                        action=action,
                        drug=drug.ingredient,
                        dose_guidance=advice.guidance,
                        rationale=said.text,
                        message=said.ref,
                        **base,
                    )
                )
                if advice.alternatives:
                    classes = self.knowledge.classes_of(advice.alternatives[0])
                    display = (
                        self.knowledge.classes[classes[0]].display if classes else "alternative"
                    )
                    said = PGX_ALTERNATIVE(gene=rule.gene, phenotype=pheno, drug=drug.ingredient)
                    out.append(
                        Recommendation(
                            action=Action.START,
                            drug_class=f"{display}: {' or '.join(advice.alternatives)}",
                            rationale=said.text,
                            message=said.ref,
                            **base,
                        )
                    )
        return out

    def _recheck(
        self, facts: PatientFacts, rec: Recommendation, stopping: set[str | None]
    ) -> Recommendation:
        """Attach the safety issues a proposed start would raise with the drugs that remain."""
        if rec.action != Action.START:
            return rec
        candidates = self._candidates(rec)
        if not candidates:
            return rec
        current = [
            d
            for d in facts.drugs
            if d.ingredient not in candidates and d.ingredient not in stopping
        ]
        per_drug: list[list[SafetyIssue]] = []
        for ingredient in candidates:
            proposal = PatientDrug(ingredient=ingredient, label=ingredient, proposed=True)
            trial = facts.model_copy(update={"drugs": [*current, proposal]})
            found, _ = self.safety.check(trial)
            per_drug.append([i for i in found if i.proposed])
        # class proposals keep only the issues every member would raise
        common = set.intersection(*({i.rule_id for i in found} for found in per_drug))
        kept = {i.rule_id: i for found in per_drug for i in found if i.rule_id in common}
        return rec.model_copy(update={"safety_issues": list(kept.values())})

    def _candidates(self, rec: Recommendation) -> list[str]:
        if rec.drug:
            return [rec.drug]
        text = (rec.drug_class or "").lower()
        found = [c for c in self.knowledge.classes.values() if c.display.lower() in text]
        members = sorted({m for c in found for m in c.members})
        if ":" in text:  # "P2Y12 inhibitor: prasugrel or ticagrelor"
            named = [w.strip() for w in text.split(":", 1)[1].split(" or ")]
            members = [n for n in named if n]
        return members
