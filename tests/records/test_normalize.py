"""The boundary's normalization: concepts, canonical units, rejections, text mapping, time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from medlm.records import (
    ClinicalNote,
    CodeSystem,
    Coding,
    Condition,
    IngestReport,
    Observation,
    Patient,
    PatientRecord,
    Sex,
)
from medlm.records.csv_map import ColumnMap, read_csv
from medlm.records.normalize import normalize_record, normalize_report

AS_OF = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
GLUCOSE = {"system": "http://loinc.org", "code": "2345-7"}


def obs(code: str, value: float | None, unit: str | None, **extra: object) -> Observation:
    return Observation(
        id=f"o-{code}-{value}", patient_id="p1", code=Coding(system=CodeSystem.LOINC, code=code),
        value=value, unit=unit, effective=extra.pop("effective", AS_OF - timedelta(days=1)),
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def record(*observations: Observation, sex: Sex = Sex.MALE, **extra: object) -> PatientRecord:
    patient = Patient(id="p1", birth_date=date(1966, 3, 1), sex=sex)
    return PatientRecord(patient=patient, observations=list(observations), **extra)  # type: ignore[arg-type]


def report(*records: PatientRecord) -> IngestReport:
    out = IngestReport(records=list(records))
    out.count("Observation").accepted = sum(len(r.observations) for r in records)
    return out


def test_known_code_gets_its_concept_and_canonical_unit_with_the_original_kept() -> None:
    (glucose,) = normalize_record(
        record(obs("2339-0", 5.551, "mmol/L")), as_of=AS_OF
    ).record.observations
    assert (glucose.concept, glucose.unit) == ("glucose", "mg/dL")
    assert glucose.value == pytest.approx(100.0, abs=0.01)
    assert (glucose.original_value, glucose.original_unit) == (5.551, "mmol/L")


def test_comparator_is_kept_and_its_bound_converted() -> None:
    (cr,) = normalize_record(
        record(obs("2160-0", 44.2, "umol/L", comparator="<")), as_of=AS_OF
    ).record.observations
    assert cr.comparator == "<" and cr.value == pytest.approx(0.5)


def test_unknown_code_is_left_as_it_is() -> None:
    original = obs("1742-6", 31.0, "U/L")
    (kept,) = normalize_record(record(original), as_of=AS_OF).record.observations
    assert kept == original


def test_incompatible_unit_is_rejected_naming_value_and_unit_and_the_rest_goes_on() -> None:
    done = normalize_report(
        report(record(obs("2345-7", 80.0, "kg"), obs("8867-4", 72.0, "/min"))), as_of=AS_OF
    )
    (rejection,) = done.rejections
    assert rejection.field == "Observation.valueQuantity.unit" and rejection.value == "80 kg"
    assert rejection.patient_id == "p1" and rejection.resource_type == "Observation"
    assert "'kg'" in rejection.reason and "glucose" in rejection.reason
    assert [o.concept for o in done.records[0].observations] == ["heart_rate"]
    assert done.count("Observation").rejected == 1


def test_implausible_value_is_rejected_as_input_validation() -> None:
    done = normalize_report(report(record(obs("8867-4", 720.0, "/min"))), as_of=AS_OF)
    (rejection,) = done.rejections
    assert rejection.field == "Observation.valueQuantity.value"
    assert "plausible range 15-300" in rejection.reason and done.records[0].observations == []


def test_egfr_in_ml_per_min_is_a_distinct_concept_never_egfr() -> None:
    rec = record(obs("33914-3", 58.0, "mL/min"), obs("62238-1", 61.0, "mL/min/1.73m2"))
    a, b = normalize_record(rec, as_of=AS_OF).record.observations
    assert (a.concept, a.unit) == ("egfr_unnormalized", "mL/min")
    assert (b.concept, b.unit, b.value) == ("egfr", "mL/min/{1.73_m2}", 61.0)


def test_oral_temperature_in_fahrenheit_becomes_celsius() -> None:
    (t,) = normalize_record(record(obs("8331-1", 98.6, "[degF]")), as_of=AS_OF).record.observations
    assert t.concept == "body_temperature" and t.value == pytest.approx(37.0)


def test_condition_code_gives_concepts_and_display_text_is_mapped_with_a_note() -> None:
    coded = Condition(patient_id="p1", code=Coding(system=CodeSystem.SNOMED, code="44054006"))
    uncoded = Condition(
        id="c2", patient_id="p1", code=Coding(system="http://example.org/local", code="HF-1",
        display="Chronic congestive heart failure (disorder)"),
    )  # fmt: skip
    done = normalize_report(report(record(conditions=[coded, uncoded])), as_of=AS_OF)
    first, second = done.records[0].conditions
    assert first.concepts == ["diabetes", "type2_diabetes"] and first.mapped_from_text is None
    assert second.concepts == ["heart_failure"]
    assert second.mapped_from_text == "Chronic congestive heart failure (disorder)"
    assert any(
        "mapped from text 'Chronic congestive heart failure (disorder)' to heart_failure" in n
        for n in done.notes
    )


@pytest.mark.parametrize(("minutes", "kept"), [(4.9, True), (5.1, False)])
def test_future_dated_observation_is_rejected_beyond_the_clock_skew_allowance(
    minutes: float, kept: bool
) -> None:
    late = obs("8867-4", 72.0, "/min", effective=AS_OF + timedelta(minutes=minutes))
    done = normalize_report(report(record(late)), as_of=AS_OF, clock_skew_minutes=5.0)
    assert bool(done.records[0].observations) is kept
    assert bool(done.rejections) is not kept


def test_future_rejection_says_when_by_how_much_and_the_allowance() -> None:
    late = obs("8867-4", 72.0, "/min", effective=AS_OF + timedelta(hours=2))
    note = ClinicalNote(id="n1", patient_id="p1", text="seen", date=AS_OF + timedelta(days=3))
    done = normalize_report(report(record(late, notes=[note])), as_of=AS_OF)
    obs_rejection, note_rejection = done.rejections
    assert obs_rejection.reason == (
        "timed 2026-12-04T14:00Z, 2 h after the as-of time 2026-12-04T12:00Z, "
        "beyond the 5-minute clock-skew allowance"
    )
    assert obs_rejection.field == "Observation.effective"
    assert note_rejection.field == "ClinicalNote.date" and done.records[0].notes == []


def test_creatinine_without_egfr_gives_a_derived_egfr_and_a_note() -> None:
    done = normalize_report(report(record(obs("2160-0", 88.4, "umol/L"))), as_of=AS_OF)
    cr, egfr = done.records[0].observations
    assert cr.value == pytest.approx(1.0) and egfr.concept == "egfr"
    # man aged 60 at the creatinine's date: 142 x (1/0.9)^-1.2 x 0.9938^60 = 86.16
    assert egfr.value == pytest.approx(86.16, abs=0.01)
    assert egfr.derived_from and "o-2160-0-88.4" in egfr.derived_from
    assert any("derived" in n for n in done.notes)


def test_normalizing_twice_gives_the_same_result() -> None:
    rec = record(
        obs("2093-3", 5.2, "mmol/L"), obs("8310-5", 99.1, "[degF]"), obs("2160-0", 97.0, "umol/L"),
        obs("33914-3", 40.0, "mL/min"),
        conditions=[Condition(patient_id="p1", code=Coding(system="x", code="1", display="CKD 4"))],
    )  # fmt: skip
    once = normalize_report(report(rec), as_of=AS_OF)
    twice = normalize_report(once.model_copy(deep=True), as_of=AS_OF)
    assert twice.records == once.records and twice.notes == once.notes


def _labs(
    glucose: tuple[float, str], chol: tuple[float, str], cr: tuple[float, str]
) -> PatientRecord:
    return record(obs("2345-7", *glucose), obs("2093-3", *chol), obs("2160-0", *cr), sex=Sex.FEMALE)


def test_same_patient_in_si_and_conventional_units_normalizes_to_equal_values() -> None:
    si = _labs((6.0, "mmol/L"), (5.0, "mmol/L"), (97.24, "umol/L"))
    conventional = _labs((6.0 * 18.016, "mg/dL"), (5.0 * 38.67, "mg/dL"), (1.1, "mg/dL"))
    a = normalize_record(si, as_of=AS_OF).record.observations
    b = normalize_record(conventional, as_of=AS_OF).record.observations
    assert [o.concept for o in a] == ["glucose", "total_cholesterol", "creatinine", "egfr"]
    for x, y in zip(a, b, strict=True):
        assert x.concept == y.concept and x.unit == y.unit
        assert x.value == pytest.approx(y.value, abs=1e-9)


def _glucose_map(unit: str) -> ColumnMap:
    column = {"column": "g", "code": GLUCOSE, "unit": unit}
    return ColumnMap.model_validate({"patient": {"id": "pid"}, "observations": [column]})


def test_csv_glucose_in_mmol_per_l_normalizes_like_a_glucose_in_mg_per_dl() -> None:
    csv = normalize_report(read_csv("pid,g\na,5.5506\n", _glucose_map("mmol/L")), as_of=AS_OF)
    mg = normalize_report(read_csv("pid,g\na,100.0\n", _glucose_map("mg/dL")), as_of=AS_OF)
    (ours,) = csv.records[0].observations
    (theirs,) = mg.records[0].observations
    assert (ours.concept, ours.unit, ours.original_unit) == ("glucose", "mg/dL", "mmol/L")
    assert ours.value == pytest.approx(theirs.value, abs=1e-3)


def test_csv_unit_the_concept_does_not_accept_is_a_rejection_naming_value_and_unit() -> None:
    done = normalize_report(read_csv("pid,g\na,80\n", _glucose_map("kg")), as_of=AS_OF)
    (rejection,) = done.rejections
    assert "'kg'" in rejection.reason and rejection.value == "80 kg"
    assert done.records[0].observations == []
