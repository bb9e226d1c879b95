"""Patient facts for treatment rules, read from a PatientRecord at an as-of time.

Everything is read through the concepts the records boundary sets: labs by Observation
`concept` in canonical units (`treatment.labs`), problems by `Condition.concepts`, drugs by
ingredient through the drug dictionary. Nothing here matches raw codes or converts units.
Facts a rule needs but the record lacks stay absent; what could not be used is listed in
`PatientFacts.missing`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from medlm.errors import DeceasedPatientError
from medlm.knowledge.treatment import TreatmentKnowledge
from medlm.records import (
    MedicationRequest,
    MedicationStatement,
    MedicationStatus,
    PatientRecord,
    Sex,
)
from medlm.records.timing import deceased_reason, latest_reading
from medlm.treatment.doses import dose_mg, parse_strength
from medlm.treatment.drugs import DrugMatch, DrugMatcher
from medlm.treatment.labs import LabValue, LabWindows, read_labs

_ACTIVE = {MedicationStatus.ACTIVE, MedicationStatus.INTENDED, MedicationStatus.ON_HOLD}


class PatientDrug(BaseModel):
    """A drug the patient takes or is about to be given."""

    ingredient: str
    label: str
    proposed: bool = False
    dose_mg: float | None = Field(default=None, description="Per administration, if known.")
    match_type: str = "exact"
    record_ref: str | None = Field(default=None, description="e.g. 'MedicationRequest/123'.")


class PatientFacts(BaseModel):
    """What the treatment rules read about one patient."""

    patient_id: str
    age: float | None = None
    sex: Sex = Sex.UNKNOWN
    pregnant: bool | None = None
    labs: dict[str, LabValue] = Field(default_factory=dict, description="Concept -> value.")
    conditions: set[str] = Field(default_factory=set, description="Condition concept keys.")
    drugs: list[PatientDrug] = Field(default_factory=list)
    allergies: list[str] = Field(default_factory=list, description="Allergen ingredients.")
    phenotypes: dict[str, str] = Field(default_factory=dict, description="Gene -> phenotype.")
    unmatched: list[str] = Field(default_factory=list)
    missing: list[str] = Field(
        default_factory=list, description="Values that exist but could not be used (stale...)."
    )
    notes: list[str] = Field(default_factory=list, description="How facts were recognised.")

    def lab(self, key: str) -> LabValue | None:
        return self.labs.get(key)

    def ingredients(self, *, include_proposed: bool = True) -> set[str]:
        return {d.ingredient for d in self.drugs if include_proposed or not d.proposed}


def normalise_phenotype(gene: str, phenotype: str) -> str:
    """'CYP2C19 Poor Metabolizer' -> 'poor'; 'Decreased Function' -> 'decreased function'."""
    text = phenotype.lower().replace(gene.lower(), " ")
    for word in ("metabolizer", "metaboliser", "phenotype"):
        text = text.replace(word, " ")
    return " ".join(text.replace("_", " ").replace("-", " ").split())


def check_alive(record: PatientRecord, as_of: datetime) -> None:
    """Raise DeceasedPatientError, naming the date of death, if the patient had died by as_of."""
    reason = deceased_reason(record.patient, as_of)
    if reason is not None:
        raise DeceasedPatientError(
            f"{reason}, before the as-of date {as_of.date().isoformat()}: "
            "no treatment recommendations are given for a deceased patient"
        )


def _conditions(record: PatientRecord, notes: list[str]) -> set[str]:
    found: set[str] = set()
    for cond in record.conditions:
        if not cond.is_active:
            continue
        found.update(cond.concepts)
        if cond.concepts and cond.mapped_from_text:
            notes.append(
                f"{', '.join(c.replace('_', ' ') for c in cond.concepts)} mapped from text "
                f"{cond.mapped_from_text!r}"
            )
    return found


def _pregnancy(
    record: PatientRecord,
    knowledge: TreatmentKnowledge,
    conditions: set[str],
    as_of: datetime,
    windows: LabWindows,
    missing: list[str],
) -> bool | None:
    if "pregnancy" in conditions:
        return True
    reading = latest_reading(
        record,
        "pregnancy_status",
        as_of=as_of,
        freshness_days=windows.freshness_days.get("pregnancy_status"),
        label="pregnancy status",
    )
    if reading.stale is not None and reading.note:
        missing.append(reading.note)
    text = ((reading.observation.value_text or "") if reading.observation else "").strip().lower()
    values = knowledge.pregnancy_status
    if text in values.pregnant_values:
        return True
    if text in values.not_pregnant_values:
        return False
    if record.patient.sex == Sex.MALE:
        return False
    return None


def _resolve(med: MedicationStatement | MedicationRequest, matcher: DrugMatcher) -> list[DrugMatch]:
    """Ingredients of a medication: its ingredient list, else its name, code or code display."""
    hits = [h for c in med.ingredients if (h := matcher.match(c.display, c)) is not None]
    if hits:
        return list({h.ingredient: h for h in hits}.values())
    parts = matcher.match_parts(med.name) if med.name else []
    if len(parts) > 1:
        return parts
    hit = matcher.match(med.name, med.code)
    if hit is None and med.name and med.code is not None and med.code.display:
        hit = matcher.match(med.code.display)
    return [hit] if hit is not None else []


def _drug_dose(med: MedicationStatement | MedicationRequest, n_ingredients: int) -> float | None:
    if n_ingredients != 1:
        return None  # the dose of a combination product is not split between ingredients
    strength = (
        med.strength
        or parse_strength(med.name)
        or parse_strength(med.code.display if med.code else None)
    )
    return dose_mg(med.dose, strength)


def _drugs(record: PatientRecord, matcher: DrugMatcher, unmatched: list[str]) -> list[PatientDrug]:
    drugs: list[PatientDrug] = []
    meds: list[tuple[MedicationStatement | MedicationRequest, bool]] = [
        (m, False) for m in record.medication_statements
    ] + [(m, m.status == MedicationStatus.DRAFT) for m in record.medication_requests]
    for med, proposed in meds:
        if med.status not in _ACTIVE and not proposed:
            continue
        hits = _resolve(med, matcher)
        if not hits:
            unmatched.append(
                f"medication {med.label!r} not recognised: not checked for interactions or limits"
            )
            continue
        mg = _drug_dose(med, len(hits))
        drugs += [
            PatientDrug(
                ingredient=hit.ingredient,
                label=med.label,
                proposed=proposed,
                dose_mg=mg,
                match_type=hit.match_type,
                record_ref=f"{type(med).__name__}/{med.id}" if med.id else None,
            )
            for hit in hits
        ]
    return drugs


def not_recorded(
    record: PatientRecord, drugs: list[PatientDrug], conditions: set[str]
) -> list[str]:
    """What the record does not hold at all, so a clean review is not read as 'all checked'
    (a full review only: an order being signed is checked for its own safety issues)."""
    out = []
    if not drugs:
        out.append(
            "no active or proposed medication recorded: interaction, contraindication, dose, "
            "pregnancy and genotype checks had nothing to check"
        )
    if not conditions:
        out.append(
            "no active problem the guideline rules know (diabetes, hypertension, CKD, "
            "cardiovascular disease, heart failure) recorded: no guideline rule applied"
        )
    if not record.allergies:
        out.append("no allergy list recorded (not even 'no known allergies'): not cross-checked")
    return out


def read_facts(
    record: PatientRecord,
    knowledge: TreatmentKnowledge,
    matcher: DrugMatcher,
    as_of: datetime,
    windows: LabWindows,
) -> PatientFacts:
    """The facts treatment rules need at `as_of`; DeceasedPatientError for a deceased patient."""
    check_alive(record, as_of)
    unmatched: list[str] = []
    notes: list[str] = []
    conditions = _conditions(record, notes)
    labs, missing = read_labs(record, as_of, windows)
    allergies: list[str] = []
    for allergy in record.allergies:
        if not allergy.active:
            continue
        hit = matcher.match(allergy.substance, allergy.code)
        if hit is None:
            name = allergy.substance or (
                allergy.code.display or allergy.code.code if allergy.code else ""
            )
            unmatched.append(f"allergy {name!r} not recognised: not cross-checked")
        else:
            allergies.append(hit.ingredient)
    phenotypes = {  # a result with only a diplotype is kept with an empty phenotype
        r.gene.upper(): normalise_phenotype(r.gene, r.phenotype) if r.phenotype else ""
        for r in record.pharmacogenomics
    }
    pregnant = _pregnancy(record, knowledge, conditions, as_of, windows, missing)
    drugs = _drugs(record, matcher, unmatched)
    missing += [f"{r.gene} genotype: {note}" for r in record.pharmacogenomics for note in r.notes]
    return PatientFacts(
        patient_id=record.patient.id,
        age=record.patient.age_on(as_of.date()),
        sex=record.patient.sex,
        pregnant=pregnant,
        labs=labs,
        conditions=conditions,
        drugs=drugs,
        allergies=allergies,
        phenotypes=phenotypes,
        unmatched=unmatched,
        missing=missing,
        notes=notes,
    )
