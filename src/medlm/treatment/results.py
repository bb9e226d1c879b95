"""Treatment result records: Recommendation, SafetyIssue and the TreatmentReport that holds them."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from medlm import DISCLAIMER
from medlm.knowledge.treatment import Citation
from medlm.messages import MessageRef

if TYPE_CHECKING:
    from medlm.records import PatientRecord


class Action(StrEnum):
    START = "start"
    AVOID = "avoid"
    STOP = "stop"
    ADJUST = "adjust"
    MONITOR = "monitor"


class Severity(StrEnum):
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"


class IssueKind(StrEnum):
    INTERACTION = "interaction"
    CONTRAINDICATION = "contraindication"
    DOSE = "dose"
    ALLERGY = "allergy"
    PREGNANCY = "pregnancy"
    DUPLICATE = "duplicate"
    PHARMACOGENOMIC = "pharmacogenomic"


SEVERITY_RANK = {Severity.HIGH: 0, Severity.MODERATE: 1, Severity.LOW: 2}


class SafetyIssue(BaseModel):
    """One safety finding about a patient's drugs, with the rule that raised it."""

    model_config = ConfigDict(frozen=True)

    patient_id: str
    severity: Severity
    kind: IssueKind
    drugs: list[str] = Field(description="Ingredients implicated (lower case).")
    detail: str = Field(description="The reason, in terms of the patient's own values.")
    citation: Citation
    rule_id: str
    proposed: bool = Field(default=False, description="True when a proposed drug is involved.")
    references: list[str] = Field(
        default_factory=list, description="FHIR references of the implicated medication records."
    )
    message: MessageRef | None = Field(
        default=None, description="`detail` as a message template and parameters (medlm.messages)."
    )

    def to_fhir(self, patient_record: PatientRecord | None = None) -> dict[str, Any]:
        """This issue as a FHIR R4 DetectedIssue (validated by fhir.resources.R4B)."""
        from medlm.treatment.fhir import detected_issue

        return detected_issue(self, patient_record)


class Recommendation(BaseModel):
    """One ranked, cited suggestion for a patient, re-checked against their current drugs."""

    model_config = ConfigDict(frozen=True)

    patient_id: str
    action: Action
    drug: str | None = Field(default=None, description="An ingredient, when the rule names one.")
    drug_class: str | None = Field(default=None, description="A class, e.g. 'SGLT2 inhibitor'.")
    dose_guidance: str | None = None
    rationale: str
    citation: Citation
    strength: str
    rule_id: str
    safety_issues: list[SafetyIssue] = Field(default_factory=list)
    message: MessageRef | None = Field(
        default=None,
        description="`rationale` as a message template and parameters (medlm.messages).",
    )

    @property
    def blocked(self) -> bool:
        """A proposed start that the safety engine flags as high severity."""
        return self.action == Action.START and any(
            i.severity == Severity.HIGH for i in self.safety_issues
        )

    def to_fhir(self) -> dict[str, Any]:
        """This recommendation as a FHIR R4 MedicationRequest proposal (intent=proposal)."""
        from medlm.treatment.fhir import medication_request

        return medication_request(self)


class CoveredDrug(BaseModel):
    """A drug the checks recognised: its ingredient, classes and how much knowledge names it."""

    model_config = ConfigDict(frozen=True)

    ingredient: str
    label: str = Field(description="The medication text it came from.")
    classes: list[str] = Field(default_factory=list, description="Class ids it belongs to.")
    match_type: str = Field(description="'exact', 'fuzzy' or 'code'.")
    proposed: bool = False
    interaction_rules: int = Field(description="Interaction rules that name it or its classes.")


class KnowledgeChecked(BaseModel):
    """One knowledge table the checks ran against."""

    model_config = ConfigDict(frozen=True)

    table: str
    version: str
    rules: int


class TreatmentCoverage(BaseModel):
    """What was checked and what could not be, so a clean result is never silent about it."""

    model_config = ConfigDict(frozen=True)

    matched: list[CoveredDrug] = Field(default_factory=list)
    unmatched: list[str] = Field(
        default_factory=list, description="Medication or allergy names not recognised."
    )
    without_interaction_data: list[str] = Field(
        default_factory=list,
        description="Matched ingredients no interaction rule names: their pairs were not checked.",
    )
    pairs_checked: int = Field(default=0, description="Drug pairs checked for interactions.")
    knowledge: list[KnowledgeChecked] = Field(default_factory=list)

    def lines(self) -> list[str]:
        """A short plain-text account of the coverage (for the table output)."""
        drugs = ", ".join(
            f"{d.ingredient} ({', '.join(d.classes) or 'no class'})" for d in self.matched
        )
        out = [f"drugs matched: {drugs or 'none'}"]
        out += [f"not matched: {u}" for u in self.unmatched]
        if self.without_interaction_data:
            names = ", ".join(self.without_interaction_data)
            out.append(f"no interaction data for: {names}")
        out.append(f"drug pairs checked for interactions: {self.pairs_checked}")
        out += [f"checked: {k.table} v{k.version} ({k.rules} rules)" for k in self.knowledge]
        return out


class TreatmentReport(BaseModel):
    """Everything the recommender says about one patient."""

    patient_id: str
    recommendations: list[Recommendation] = Field(default_factory=list)
    issues: list[SafetyIssue] = Field(default_factory=list)
    missing: list[str] = Field(
        default_factory=list,
        description="What could not be checked: data a rule needed but the record lacks, stale "
        "values, bounds that cannot decide a rule, unrecognised drugs, unreadable resources.",
    )
    unmatched: list[str] = Field(
        default_factory=list,
        description="Medication or allergy names not recognised (also listed in `missing`).",
    )
    notes: list[str] = Field(
        default_factory=list,
        description="How facts were recognised, e.g. a problem mapped from its display text.",
    )
    knowledge_version: str
    coverage: TreatmentCoverage = Field(
        default_factory=TreatmentCoverage,
        description="Drugs matched and not, and the knowledge tables checked.",
    )
    disclaimer: str = DISCLAIMER

    def summary(self) -> dict[str, Any]:
        """The CLI/API JSON shape: recommendations, issues and missing data."""
        return {
            "patient_id": self.patient_id,
            "recommendations": [
                {
                    "action": r.action.value,
                    "drug": r.drug,
                    "drug_class": r.drug_class,
                    "dose_guidance": r.dose_guidance,
                    "rationale": r.rationale,
                    "citation": str(r.citation),
                    "strength": r.strength,
                }
                for r in self.recommendations
            ],
            "issues": [
                {
                    "severity": i.severity.value,
                    "kind": i.kind.value,
                    "drugs": i.drugs,
                    "detail": i.detail,
                    "citation": str(i.citation),
                }
                for i in self.issues
            ],
            "missing": self.missing,
            "unmatched": self.unmatched,
            "notes": self.notes,
            "knowledge_version": self.knowledge_version,
            "coverage": self.coverage.model_dump(),
            "disclaimer": self.disclaimer,
        }
