"""Values medlm computes at the boundary: eGFR from creatinine with CKD-EPI 2021 (race-free).

When a record has no eGFR but has a creatinine, the patient's sex (male or female) and age,
the CKD-EPI 2021 creatinine equation (Inker LA et al., N Engl J Med 2021;385:1737-1749;
coefficients in `knowledge/concepts/equations/ckd_epi_2021.yaml`) gives one, marked as derived
(`derived_from` names the creatinine and the inputs) and timed like the creatinine. Age is taken
on the creatinine's date (the as-of date when the creatinine is undated).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict

from medlm.records.coding import CodeSystem, Coding
from medlm.records.observation import Observation
from medlm.records.patient import Sex
from medlm.records.patient_record import PatientRecord
from medlm.records.timing import aware

EGFR_2021 = Coding(
    system=CodeSystem.LOINC,
    code="98979-8",
    display="Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, "
    "Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)",
)


class _SexCoefficients(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kappa: float
    alpha: float
    factor: float


class CkdEpi2021(BaseModel):
    """The equation's published coefficients (see the YAML file for the citation)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    name: str
    citation: str
    verification: str
    multiplier: float
    upper_exponent: float
    age_base: float
    min_age_years: float
    female: _SexCoefficients
    male: _SexCoefficients


@lru_cache(maxsize=1)
def load_ckd_epi_2021() -> CkdEpi2021:
    """The CKD-EPI 2021 coefficients (read once, on first use)."""
    folder = resources.files("medlm.knowledge.concepts").joinpath("equations")
    text = folder.joinpath("ckd_epi_2021.yaml").read_text(encoding="utf-8")
    return CkdEpi2021.model_validate(yaml.safe_load(text))


def ckd_epi_2021(creatinine_mg_dl: float, age_years: float, sex: Sex) -> float:
    """eGFR (mL/min/1.73 m2) from serum creatinine (mg/dL), age (years) and sex (male/female).

    >>> round(ckd_epi_2021(1.0, 50, Sex.MALE), 1)
    91.7
    """
    table = load_ckd_epi_2021()
    if sex not in (Sex.FEMALE, Sex.MALE):
        raise ValueError(f"CKD-EPI 2021 needs sex male or female, not {sex.value!r}")
    c = table.female if sex is Sex.FEMALE else table.male
    ratio = creatinine_mg_dl / c.kappa
    return (
        table.multiplier
        * min(ratio, 1.0) ** c.alpha
        * max(ratio, 1.0) ** table.upper_exponent
        * table.age_base**age_years
        * c.factor
    )


class Derived(NamedTuple):
    """A derived Observation, or the reason none was derived (for the report)."""

    observation: Observation | None
    note: str | None


def derive_egfr(record: PatientRecord, *, as_of: datetime) -> Derived:
    """An eGFR from the latest creatinine known at `as_of`, when the record has no eGFR."""
    if record.observations_of("egfr"):
        return Derived(None, None)
    known = [
        o
        for o in record.observations_of("creatinine")
        if o.value is not None
        and o.comparator is None
        and (o.effective is None or aware(o.effective) <= as_of)
    ]
    if not known:
        return Derived(None, None)
    creatinine = max(known, key=lambda o: (o.effective is not None, _stamp(o)))
    pid, patient = record.patient.id, record.patient
    when = (aware(creatinine.effective) if creatinine.effective else as_of).date()
    age = patient.age_on(when)
    table = load_ckd_epi_2021()
    why = None
    if patient.sex not in (Sex.FEMALE, Sex.MALE):
        why = f"sex is {patient.sex.value}"
    elif age is None:
        why = "age is unknown"
    elif age < table.min_age_years:
        why = f"age {age:g} is under {table.min_age_years:g}"
    if why is not None:
        return Derived(None, f"patient {pid}: no eGFR derived from creatinine: {why}")
    assert age is not None and creatinine.value is not None
    value = ckd_epi_2021(creatinine.value, age, patient.sex)
    source = f"Observation/{creatinine.id}" if creatinine.id else "a creatinine observation"
    inputs = f"creatinine {creatinine.value:g} mg/dL, age {age:g}, {patient.sex.value}"
    derived = Observation(
        id=f"{creatinine.id or pid}-egfr-ckd-epi-2021",
        patient_id=pid,
        code=EGFR_2021,
        value=value,
        unit="mL/min/{1.73_m2}",
        effective=creatinine.effective,
        concept="egfr",
        derived_from=f"{table.name} ({table.citation}) from {source}: {inputs}",
    )
    note = f"patient {pid}: eGFR {value:.0f} mL/min/1.73m2 derived with {table.name} from {inputs}"
    return Derived(derived, note)


def _stamp(obs: Observation) -> float:
    return aware(obs.effective).timestamp() if obs.effective is not None else float("-inf")
