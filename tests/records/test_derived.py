"""CKD-EPI 2021 (race-free) eGFR from creatinine, checked by hand against the published equation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from medlm.records import CodeSystem, Coding, Observation, Patient, PatientRecord, Sex
from medlm.records.derived import ckd_epi_2021, derive_egfr

AS_OF = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


# By hand: 142 x min(Scr/k,1)^a x max(Scr/k,1)^-1.2 x 0.9938^age (x 1.012 female)
#   man 50, Scr 1.0: 142 x (1/0.9)^-1.2 x 0.9938^50 = 142 x 0.88123 x 0.73274 = 91.69
#   woman 60, Scr 0.7: 142 x 1 x 1 x 0.9938^60 x 1.012 = 142 x 0.68855 x 1.012 = 98.95
#   woman 70, Scr 0.5: 142 x (0.5/0.7)^-0.241 x 0.9938^70 x 1.012 = 142 x 1.08447 x 0.64704
#                      x 1.012 = 100.84
#   man 80, Scr 3.0: 142 x (3/0.9)^-1.2 x 0.9938^80 = 142 x 0.23580 x 0.60802 = 20.36
@pytest.mark.parametrize(
    ("scr", "age", "sex", "expected"),
    [
        (1.0, 50, Sex.MALE, 91.69),
        (0.7, 60, Sex.FEMALE, 98.95),
        (0.5, 70, Sex.FEMALE, 100.84),
        (3.0, 80, Sex.MALE, 20.36),
    ],
)
def test_ckd_epi_2021_matches_hand_computed_values(
    scr: float, age: float, sex: Sex, expected: float
) -> None:
    assert ckd_epi_2021(scr, age, sex) == pytest.approx(expected, abs=0.01)


def _record(
    sex: Sex = Sex.FEMALE, *obs: Observation, birth: date = date(1956, 6, 1)
) -> PatientRecord:
    return PatientRecord(
        patient=Patient(id="p1", birth_date=birth, sex=sex), observations=list(obs)
    )


def _creatinine(value: float, when: datetime, oid: str = "cr1") -> Observation:
    return Observation(
        id=oid, patient_id="p1", code=Coding(system=CodeSystem.LOINC, code="2160-0"),
        value=value, unit="mg/dL", effective=when, concept="creatinine",
    )  # fmt: skip


def test_egfr_is_derived_from_the_latest_creatinine_known_at_as_of_and_says_so() -> None:
    old = _creatinine(2.0, datetime(2025, 1, 1, tzinfo=UTC), "old")
    latest = _creatinine(0.7, datetime(2026, 11, 1, tzinfo=UTC), "cr1")
    later = _creatinine(5.0, datetime(2027, 1, 1, tzinfo=UTC), "later")
    derived = derive_egfr(_record(Sex.FEMALE, old, latest, later), as_of=AS_OF)
    egfr = derived.observation
    assert egfr is not None and egfr.concept == "egfr" and egfr.unit == "mL/min/{1.73_m2}"
    assert egfr.value == pytest.approx(ckd_epi_2021(0.7, 70, Sex.FEMALE))  # born 1956-06-01
    assert egfr.effective == latest.effective
    assert egfr.derived_from is not None and "Observation/cr1" in egfr.derived_from
    assert "CKD-EPI 2021" in egfr.derived_from and derived.note and "derived" in derived.note


def test_no_egfr_is_derived_when_one_is_recorded() -> None:
    recorded = Observation(
        patient_id="p1", code=Coding(system=CodeSystem.LOINC, code="33914-3"), value=45.0,
        unit="mL/min/{1.73_m2}", concept="egfr",
    )  # fmt: skip
    record = _record(Sex.MALE, recorded, _creatinine(1.0, AS_OF))
    assert derive_egfr(record, as_of=AS_OF).observation is None


@pytest.mark.parametrize(
    ("sex", "birth", "why"),
    [(Sex.UNKNOWN, date(1960, 1, 1), "sex is unknown"), (Sex.MALE, date(2015, 1, 1), "under 18")],
)
def test_no_egfr_without_sex_or_for_a_child_and_the_note_says_why(
    sex: Sex, birth: date, why: str
) -> None:
    derived = derive_egfr(_record(sex, _creatinine(1.0, AS_OF), birth=birth), as_of=AS_OF)
    assert derived.observation is None and derived.note is not None and why in derived.note
