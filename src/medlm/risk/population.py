"""A model's intended population, and whether one patient falls inside it at an as-of time.

A model trained on a packaged dataset carries that dataset's population (datasets/
populations.yaml: sex, age range, required diagnoses, the diagnoses that mean the patient already
has the outcome). A patient outside it gets no tier: the probability the model computes for them
is arithmetic on a population it never saw. A model trained on a user's CSV or FHIR bundles has
no population unless one is given, and its scores say so.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from medlm.errors import InputError
from medlm.messages import Message, MessageRef, MessageTemplate
from medlm.records import Condition, PatientRecord, Sex


class Population(BaseModel):
    """Who the training data described: the patients the model's tiers are meant for."""

    model_config = ConfigDict(frozen=True)

    dataset: str
    description: str
    sex: Literal["female", "male"] | None = None
    min_age: float | None = None
    max_age: float | None = None
    required: tuple[str, ...] = Field(default=(), description="Condition concepts all had.")
    outcome: tuple[str, ...] = Field(
        default=(), description="Condition concepts that mean the patient already has the outcome."
    )
    excluded: tuple[str, ...] = Field(default=(), description="Other excluded condition concepts.")
    tier_rule: str = "prevalence"
    source: str


class PopulationStatus(BaseModel):
    """Whether a patient is in the model's population, and why not."""

    status: Literal["inside", "outside", "not_stated"]
    reasons: list[str] = Field(default_factory=list)
    population: str | None = Field(default=None, description="The population, in words.")
    evidence: list[str] = Field(
        default_factory=list, description="References to the record entries the reasons rest on."
    )
    messages: list[MessageRef] = Field(
        default_factory=list, description="`reasons` as message templates, in the same order."
    )
    population_message: MessageRef | None = Field(
        default=None, description="`population` as a message template (one per dataset)."
    )

    @property
    def outside(self) -> bool:
        return self.status == "outside"


NOT_STATED_MESSAGE = MessageTemplate(
    id="risk.population.not-stated",
    text="the model was trained on data without a stated population (a user CSV or FHIR bundles): "
    "whether it applies to this patient was not checked",
)
NOT_STATED = NOT_STATED_MESSAGE.text
SEX_UNKNOWN = MessageTemplate(
    id="risk.population.sex-unknown",
    text="sex not recorded as male or female; the model is for %(people)s",
    terms=("people",),
)
SEX_OTHER = MessageTemplate(
    id="risk.population.sex-other",
    text="%(sex)s; the model is for %(people)s only",
    terms=("sex", "people"),
)
AGE_UNKNOWN = MessageTemplate(
    id="risk.population.age-unknown",
    text="age not known at %(date)s; the model's data were aged %(span)s",
)
AGE_OUTSIDE = MessageTemplate(
    id="risk.population.age-outside",
    text="aged %(age)s at %(date)s; the model's data were aged %(span)s",
)
REQUIRED_ABSENT = MessageTemplate(
    id="risk.population.required-absent",
    text="no recorded %(condition)s; every patient in the data had it",
    terms=("condition",),
)
HAS_OUTCOME = MessageTemplate(
    id="risk.population.has-outcome",
    text="%(condition)s recorded (%(display)s): already has the outcome",
    terms=("condition",),
    quoted=("display",),
)
EXCLUDED = MessageTemplate(
    id="risk.population.excluded",
    text="%(condition)s recorded (%(display)s): excluded from the data",
    terms=("condition",),
    quoted=("display",),
)


def description_template(population: Population) -> MessageTemplate:
    """The population's description as a template (id `risk.population.<dataset>`)."""
    return MessageTemplate(id=f"risk.population.{population.dataset}", text=population.description)


def message_templates() -> list[MessageTemplate]:
    """The templates read from populations.yaml (one description per dataset)."""
    return [description_template(p) for p in _populations().values()]


@cache
def _populations() -> dict[str, Population]:
    text = resources.files("medlm.datasets").joinpath("populations.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)["populations"]
    return {name: Population.model_validate({"dataset": name, **p}) for name, p in raw.items()}


def population_for(dataset: str) -> Population | None:
    """The population of a registered dataset, or None if none is recorded for it."""
    return _populations().get(dataset)


def known_populations() -> dict[str, Population]:
    return dict(_populations())


def check_population(
    record: PatientRecord, population: Population | None, as_of: datetime
) -> PopulationStatus:
    """Inside, outside (with every reason), or not stated (a model without a population)."""
    if population is None:
        status = NOT_STATED_MESSAGE()
        return PopulationStatus(status="not_stated", reasons=[status.text], messages=[status.ref])
    reasons: list[Message] = []
    evidence: list[str] = []
    sex = record.patient.sex
    if population.sex is not None:
        if sex in (Sex.UNKNOWN, Sex.OTHER):
            reasons.append(SEX_UNKNOWN(people=_sex(population)))
        elif sex.value != population.sex:
            reasons.append(SEX_OTHER(sex=sex.value, people=_sex(population)))
    reasons += _age_reasons(record, population, as_of)
    for concept in population.required:
        if not _conditions(record, concept, as_of, active_only=True):
            reasons.append(REQUIRED_ABSENT(condition=_name(concept)))
    for concept, why in [(c, HAS_OUTCOME) for c in population.outcome] + [
        (c, EXCLUDED) for c in population.excluded
    ]:
        found = _conditions(record, concept, as_of, active_only=False)
        if found:
            display = found[0].code.display or found[0].code.code
            reasons.append(why(condition=_name(concept), display=display))
            evidence += [f"Condition/{c.id}" for c in found if c.id]
    return PopulationStatus(
        status="outside" if reasons else "inside",
        reasons=[r.text for r in reasons],
        population=population.description,
        evidence=evidence,
        messages=[r.ref for r in reasons],
        population_message=description_template(population)().ref,
    )


def _age_reasons(record: PatientRecord, population: Population, as_of: datetime) -> list[Message]:
    if population.min_age is None and population.max_age is None:
        return []
    age = record.patient.age_on(as_of.date())
    span = f"{_age(population.min_age)}-{_age(population.max_age)}"
    date = str(as_of.date())
    if age is None:
        return [AGE_UNKNOWN(date=date, span=span)]
    if (population.min_age is not None and age < population.min_age) or (
        population.max_age is not None and age > population.max_age
    ):
        return [AGE_OUTSIDE(age=age, date=date, span=span)]
    return []


def _conditions(
    record: PatientRecord, concept: str, as_of: datetime, *, active_only: bool
) -> list[Condition]:
    """Conditions of the concept known at `as_of`; a past diagnosis counts unless active_only."""
    return [
        c
        for c in record.conditions
        if concept in c.concepts
        and (c.onset is None or c.onset <= as_of.date())
        and (c.is_active or not active_only)
    ]


def _sex(population: Population) -> str:
    return {"female": "women", "male": "men"}[population.sex or "female"]


def _age(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _name(concept: str) -> str:
    from medlm.knowledge.concepts import load_concepts

    library = load_concepts()
    if concept not in library.conditions:
        raise InputError(f"population names condition concept {concept!r}, which is not known")
    return library.conditions[concept].display
