"""Yes/no and count inputs read from a record's problems, medications and smoking status.

The Framingham and heart-failure columns prevalentHyp, diabetes, prevalentStroke, BPMeds,
currentSmoker and cigsPerDay (and the clinical scores' matching items) are facts about the
patient, not measurements: they are read through the concept layer, each with the record entries
it rests on. A fact is 1 when the record shows it, 0 when the record lists problems (or
medications) and none of them is it (said in a note), and unknown when the record lists none.
Specs (datasets/codes.yaml `from_record`):
  condition:<concept>        an active Condition of the concept, known at the as-of time
  history:<concept>          a Condition of the concept ever diagnosed before the as-of time
  medication:antihypertensive  an active medication of an antihypertensive class
  smoking:current / smoking:cigarettes_per_day  the latest tobacco smoking status (LOINC 72166-2)
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import NamedTuple

from medlm.errors import ConfigError, DataPackageMissingError
from medlm.knowledge.concepts import load_concepts
from medlm.records import MedicationStatus, PatientRecord
from medlm.records.medication import MedicationRequest, MedicationStatement
from medlm.records.timing import latest_reading
from medlm.treatment.drugs import DrugMatcher

SMOKING_ANSWERS = ("current_smoker", "former_smoker", "never_smoker")


class Fact(NamedTuple):
    """A fact's value (None: unknown), the references it rests on, and a note when needed."""

    value: float | None
    evidence: list[str]
    note: str | None


def record_fact(record: PatientRecord, spec: str, as_of: datetime, label: str) -> Fact:
    """The value of one `from_record` spec for this record at `as_of`."""
    kind, _, key = spec.partition(":")
    if kind in ("condition", "history"):
        return _condition(record, key, as_of, label, ever=kind == "history")
    if kind == "medication" and key == "antihypertensive":
        return _antihypertensive(record, as_of, label)
    if kind == "smoking":
        return _smoking(record, key, as_of, label)
    raise ConfigError(f"unknown record fact {spec!r} for column {label!r}")


def _condition(
    record: PatientRecord, concept: str, as_of: datetime, label: str, *, ever: bool
) -> Fact:
    name = load_concepts().conditions[concept].display
    known = [c for c in record.conditions if c.onset is None or c.onset <= as_of.date()]
    found = [c for c in known if concept in c.concepts and (ever or c.is_active)]
    if found:
        return Fact(1.0, [f"Condition/{c.id}" for c in found if c.id], None)
    if known:
        return Fact(
            0.0,
            [],
            f"{label}: taken as 0: no {name} among the record's {len(known)} condition(s)",
        )
    return Fact(None, [], f"{label}: the record lists no conditions, so {name} is not known")


Medication = MedicationStatement | MedicationRequest


def _active_medications(record: PatientRecord, as_of: datetime) -> list[Medication]:
    day = as_of.date()
    meds: list[Medication] = [
        m
        for m in record.medication_statements
        if m.status == MedicationStatus.ACTIVE
        and (m.effective_start is None or m.effective_start <= day)
    ]
    meds += [
        m
        for m in record.medication_requests
        if m.status == MedicationStatus.ACTIVE and (m.authored_on is None or m.authored_on <= day)
    ]
    return meds


def _antihypertensive(record: PatientRecord, as_of: datetime, label: str) -> Fact:
    meds = _active_medications(record, as_of)
    if not meds:
        return Fact(None, [], f"{label}: the record lists no active medication, so not known")
    try:
        hits = antihypertensives(meds)
    except DataPackageMissingError as exc:
        return Fact(None, [], f"{label}: medications could not be matched ({exc})")
    if hits:
        return Fact(1.0, hits, None)
    return Fact(
        0.0,
        [],
        f"{label}: taken as 0: none of the {len(meds)} active medication(s) is an antihypertensive",
    )


@cache
def _antihypertensive_matcher() -> tuple[frozenset[str], DrugMatcher]:
    """Antihypertensive ingredients (knowledge/treatment) and a matcher for them, built once:
    reading the knowledge and the drug dictionary costs about 0.25 s."""
    from medlm.knowledge.treatment import load_treatment_knowledge

    knowledge = load_treatment_knowledge()
    hypertension = knowledge.guidelines["hypertension"]
    classes = hypertension["antihypertensive_classes"]  # every class that counts as BP treatment
    members = knowledge.expand([f"@{c}" for c in classes if c in knowledge.classes])
    return frozenset(members), DrugMatcher(known_ingredients=set(members))


def antihypertensives(meds: list[Medication]) -> list[str]:
    """References (or labels) of the medications whose ingredient is an antihypertensive."""
    members, matcher = _antihypertensive_matcher()
    found = []
    for med in meds:
        names = [c.display for c in med.ingredients if c.display]
        hits = [matcher.match(n) for n in names] or [matcher.match(med.name, med.code)]
        if any(h is not None and h.ingredient in members for h in hits):
            kind = type(med).__name__
            found.append(f"{kind}/{med.id}" if med.id else f"{kind} {med.label!r}")
    return found


def smoking_status(record: PatientRecord, as_of: datetime) -> tuple[str | None, list[str]]:
    """'current_smoker', 'former_smoker', 'never_smoker' or None, and the references."""
    library = load_concepts()
    reading = latest_reading(record, "smoking_status", as_of=as_of, freshness_days=None)
    obs = reading.observation
    if obs is not None and obs.value_text:
        answers = library.conditions_from_text(obs.value_text) & set(SMOKING_ANSWERS)
        if len(answers) == 1:
            return answers.pop(), [f"Observation/{obs.id}"] if obs.id else []
    coded = [
        (c, answer)
        for c in record.conditions
        if c.is_active and (c.onset is None or c.onset <= as_of.date())
        for answer in SMOKING_ANSWERS
        if answer in c.concepts
    ]
    if coded:
        latest, answer = max(coded, key=lambda pair: pair[0].onset or as_of.date())
        return answer, [f"Condition/{latest.id}"] if latest.id else []
    return None, []


def _smoking(record: PatientRecord, key: str, as_of: datetime, label: str) -> Fact:
    status, refs = smoking_status(record, as_of)
    if status is None:
        return Fact(None, [], f"{label}: no tobacco smoking status (LOINC 72166-2) understood")
    if key == "current":
        return Fact(float(status == "current_smoker"), refs, None)
    if key == "cigarettes_per_day":
        if status == "current_smoker":
            return Fact(None, refs, f"{label}: a current smoker; cigarettes per day not recorded")
        return Fact(0.0, refs, None)
    raise ConfigError(f"unknown smoking fact {key!r} for column {label!r}")


__all__ = ["Fact", "antihypertensives", "record_fact", "smoking_status"]
