"""Patient facts for treatment rules, read from a PatientRecord: labs, conditions, drugs, genotype.

Observations are recognised by the codes in `knowledge/treatment/codes.yaml`; a value with a
unit that does not fit, or outside the plausible range, is an error naming the record, field and
value (never converted by guess). Facts a rule needs but the record lacks stay `None`.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from medlm.errors import UnitError, ValidationError
from medlm.knowledge.treatment import ObservationCode, TreatmentKnowledge
from medlm.records import (
    CodeSystem,
    MedicationRequest,
    MedicationStatement,
    MedicationStatus,
    Observation,
    ObservationStatus,
    PatientRecord,
    Sex,
)
from medlm.treatment.drugs import DrugMatcher

_ACTIVE = {MedicationStatus.ACTIVE, MedicationStatus.INTENDED, MedicationStatus.ON_HOLD}
_IGNORED_OBS = {ObservationStatus.CANCELLED, ObservationStatus.ENTERED_IN_ERROR}


class PatientDrug(BaseModel):
    """A drug the patient takes or is about to be given."""

    ingredient: str
    label: str
    proposed: bool = False
    dose_mg: float | None = Field(default=None, description="Per administration, if in mg.")
    match_type: str = "exact"
    record_ref: str | None = Field(default=None, description="e.g. 'MedicationRequest/123'.")


class PatientFacts(BaseModel):
    """What the treatment rules read about one patient."""

    patient_id: str
    age: float | None = None
    sex: Sex = Sex.UNKNOWN
    pregnant: bool | None = None
    labs: dict[str, float] = Field(default_factory=dict, description="Latest value per analyte.")
    conditions: set[str] = Field(default_factory=set)
    drugs: list[PatientDrug] = Field(default_factory=list)
    allergies: list[str] = Field(default_factory=list, description="Allergen ingredients.")
    phenotypes: dict[str, str] = Field(default_factory=dict, description="Gene -> phenotype.")
    unmatched: list[str] = Field(default_factory=list)

    def lab(self, key: str) -> float | None:
        return self.labs.get(key)

    def ingredients(self, *, include_proposed: bool = True) -> set[str]:
        return {d.ingredient for d in self.drugs if include_proposed or not d.proposed}


def normalise_phenotype(gene: str, phenotype: str) -> str:
    """'CYP2C19 Poor Metabolizer' -> 'poor'; 'Decreased Function' -> 'decreased function'."""
    text = phenotype.lower().replace(gene.lower(), " ")
    for word in ("metabolizer", "metaboliser", "phenotype"):
        text = text.replace(word, " ")
    return " ".join(text.replace("_", " ").replace("-", " ").split())


def _value_in_unit(obs: Observation, key: str, spec: ObservationCode) -> float:
    assert obs.value is not None
    where = f"observation {obs.id or obs.code.code} ({spec.display})"
    unit = (obs.unit or "").strip()
    if unit in spec.units:
        value = obs.value
    elif unit in spec.alternate_units:
        value = obs.value * spec.alternate_units[unit]
    else:
        raise UnitError(
            f"{where}: unit {unit!r} does not fit {spec.display}; expected one of {spec.units}",
            record=where,
            field="unit",
        )
    if spec.plausible is not None and not spec.plausible[0] <= value <= spec.plausible[1]:
        raise ValidationError(
            f"{where}: value {obs.value} {unit} is impossible for {spec.display} "
            f"(plausible {spec.plausible[0]}–{spec.plausible[1]})",
            record=where,
            field="value",
        )
    return value


def _labs(record: PatientRecord, knowledge: TreatmentKnowledge) -> dict[str, float]:
    labs: dict[str, float] = {}
    for key, spec in knowledge.observations.items():
        matches = [
            o
            for o in record.observations
            if o.code.code in spec.loinc and o.value is not None and o.status not in _IGNORED_OBS
        ]
        values = [(o, _value_in_unit(o, key, spec)) for o in matches]  # validates every one
        if values:
            latest = max(values, key=lambda ov: (ov[0].effective is not None, ov[0].effective or 0))
            labs[key] = latest[1]
    return labs


def _conditions(record: PatientRecord, knowledge: TreatmentKnowledge) -> set[str]:
    found: set[str] = set()
    for cond in record.conditions:
        if not cond.is_active:
            continue
        code = cond.code.code.upper()
        for key, codes in knowledge.conditions.items():
            snomed = cond.code.system == CodeSystem.SNOMED.value
            if (snomed and code in codes.snomed) or (
                not snomed and any(code.startswith(p) for p in codes.icd10)
            ):
                found.add(key)
    return found


def _pregnancy(
    record: PatientRecord, knowledge: TreatmentKnowledge, conditions: set[str]
) -> bool | None:
    if "pregnancy" in conditions:
        return True
    spec = knowledge.observations["pregnancy_status"]
    status = [o for o in record.observations if o.code.code in spec.loinc and o.value_text]
    if status:
        latest = max(status, key=lambda o: (o.effective is not None, o.effective or 0))
        text = (latest.value_text or "").strip().lower()
        if text in spec.pregnant_values:
            return True
        if text in spec.not_pregnant_values:
            return False
    if record.patient.sex == Sex.MALE:
        return False
    return None


def _drugs(record: PatientRecord, matcher: DrugMatcher, unmatched: list[str]) -> list[PatientDrug]:
    drugs: list[PatientDrug] = []
    meds: list[tuple[MedicationStatement | MedicationRequest, bool]] = [
        (m, False) for m in record.medication_statements
    ] + [(m, m.status == MedicationStatus.DRAFT) for m in record.medication_requests]
    for med, proposed in meds:
        if med.status not in _ACTIVE and not proposed:
            continue
        hit = matcher.match(med.name, med.code)
        if hit is None:
            unmatched.append(
                f"medication {med.label!r} not recognised: not checked for interactions or limits"
            )
            continue
        dose = None
        unit = (med.dose.unit or "").lower() if med.dose is not None else ""
        if med.dose is not None and unit in {"mg", "g"}:
            dose = med.dose.value * (1000.0 if unit == "g" else 1.0)
        drugs.append(
            PatientDrug(
                ingredient=hit.ingredient,
                label=med.label,
                proposed=proposed,
                dose_mg=dose,
                match_type=hit.match_type,
                record_ref=f"{type(med).__name__}/{med.id}" if med.id else None,
            )
        )
    return drugs


def read_facts(
    record: PatientRecord, knowledge: TreatmentKnowledge, matcher: DrugMatcher, today: date
) -> PatientFacts:
    """Extract the facts treatment rules need; raises on impossible values or wrong units."""
    unmatched: list[str] = []
    conditions = _conditions(record, knowledge)
    allergies: list[str] = []
    for allergy in record.allergies:
        if not allergy.active:
            continue
        hit = matcher.match(allergy.substance, allergy.code)
        if hit is None:
            unmatched.append(f"allergy {allergy.substance!r} not recognised: not cross-checked")
        else:
            allergies.append(hit.ingredient)
    phenotypes = {  # a result with only a diplotype is kept with an empty phenotype
        r.gene.upper(): normalise_phenotype(r.gene, r.phenotype) if r.phenotype else ""
        for r in record.pharmacogenomics
    }
    return PatientFacts(
        patient_id=record.patient.id,
        age=record.patient.age_on(today),
        sex=record.patient.sex,
        pregnant=_pregnancy(record, knowledge, conditions),
        labs=_labs(record, knowledge),
        conditions=conditions,
        drugs=_drugs(record, matcher, unmatched),
        allergies=allergies,
        phenotypes=phenotypes,
        unmatched=unmatched,
    )
