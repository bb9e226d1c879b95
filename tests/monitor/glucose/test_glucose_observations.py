"""FHIR glucose Observations (including the HL7 CGM implementation guide's layout) to readings.

The CGM examples are written by hand after the guide's example pages: HL7 FHIR Continuous
Glucose Monitoring IG 1.0.0 (STU 1), https://hl7.org/fhir/uv/cgm/ — Observation
cgmSensorReadingMassPerVolumeExample (LOINC 99504-3, 120 mg/dL), cgmSensorReadingMolesPerVolume
Example (LOINC 105272-9, 6.7 mmol/L), the Mean Glucose summary (LOINC 97507-8 over an
effectivePeriod) and the CGM Data Submission Bundle that carries them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from medlm.knowledge.concepts import load_concepts
from medlm.monitor.glucose.observations import glucose_readings, is_cgm_summary, source_of
from medlm.records.coding import Coding
from medlm.records.loose_observations import read_observation_resources
from medlm.records.read import read_document

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SUMMARY_CODES = "http://hl7.org/uv/cgm/CodeSystem/cgm-summary-codes-temporary"
AS_OF = datetime(2024, 6, 1, tzinfo=UTC)


def observation(
    oid: str, code: str, value: float, unit: str, when: str = "2024-05-02T10:15:00Z", **extra: Any
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": "Patient/patientExample"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit.lower(), "system": UCUM, "code": unit},
        **extra,
    }


CGM_MASS = observation("cgmSensorReadingMassPerVolumeExample", "99504-3", 120, "mg/dL")
CGM_MOLAR = observation(
    "cgmSensorReadingMolesPerVolumeExample", "105272-9", 6.7, "mmol/L", "2024-05-02T10:30:00Z"
)
MEAN_GLUCOSE = {
    "resourceType": "Observation",
    "id": "cgmSummaryMeanGlucoseMassPerVolumeExample",
    "status": "final",
    "code": {
        "coding": [
            {"system": SUMMARY_CODES, "code": "mean-glucose-mass-per-volume"},
            {"system": LOINC, "code": "97507-8"},
        ]
    },
    "subject": {"reference": "Patient/patientExample"},
    "effectivePeriod": {"start": "2024-05-01", "end": "2024-05-31"},
    "valueQuantity": {"value": 145, "unit": "mg/dl", "system": UCUM, "code": "mg/dL"},
}


def test_the_cgm_guides_mass_and_molar_readings_become_cgm_readings_in_mg_dl() -> None:
    report = read_observation_resources([CGM_MASS, CGM_MOLAR], as_of=AS_OF)
    result = glucose_readings(report)
    assert result.report.rejections == []
    mass, molar = result.readings
    assert (mass.patient_id, mass.mg_dl, mass.source) == ("patientExample", 120.0, "cgm")
    molar_mass = load_concepts().observation("glucose").molar_mass
    assert molar_mass is not None
    assert molar.mg_dl == pytest.approx(6.7 * molar_mass.effective_g_per_mol / 10)
    assert (molar.source, molar.reported) == ("cgm", "6.7 mmol/L")
    assert molar.origin == "cgmSensorReadingMolesPerVolumeExample"
    assert molar.time == datetime(2024, 5, 2, 10, 30, tzinfo=UTC)


def test_the_guides_submission_bundle_gives_its_readings_and_skips_the_summary_with_a_note() -> (
    None
):
    entries = [CGM_MASS, CGM_MOLAR, MEAN_GLUCOSE]
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": r, "request": {"method": "POST", "url": "Observation"}} for r in entries
        ]
        + [{"resource": {"resourceType": "Patient", "id": "patientExample"}}],
    }
    result = glucose_readings(read_document(bundle, as_of=AS_OF))
    assert len(result.readings) == 2 and result.readings[0].mg_dl == 120.0
    assert result.report.rejections == []
    assert any("CGM summary" in note for note in result.report.notes)


@pytest.mark.parametrize(
    ("code", "source"),
    [
        ("99504-3", "cgm"),
        ("105272-9", "cgm"),
        ("41653-7", "capillary"),
        ("14743-9", "capillary"),
        ("2345-7", "plasma"),
        ("14749-6", "plasma"),
        ("1558-6", "plasma"),
        ("2339-0", "blood"),
        ("15074-8", "blood"),
        ("8867-4", "unknown"),
    ],
)
def test_each_glucose_code_names_its_kind_of_sample(code: str, source: str) -> None:
    assert source_of(Coding(system=LOINC, code=code)) == source


def test_every_glucose_code_in_the_value_set_has_a_known_kind_of_sample() -> None:
    concept = load_concepts().observation("glucose")
    kinds = {c.code: source_of(Coding(system=c.uri, code=c.code)) for c in concept.codes}
    assert "unknown" not in kinds.values(), kinds


def test_a_capillary_reading_in_mmol_l_is_a_capillary_reading_in_mg_dl() -> None:
    meter = observation("poc1", "14743-9", 3.0, "mmol/L")
    (reading,) = glucose_readings(read_observation_resources([meter], as_of=AS_OF)).readings
    assert reading.source == "capillary" and reading.mg_dl == pytest.approx(54.0, abs=0.1)


def test_an_observation_that_is_not_glucose_is_rejected_naming_its_code() -> None:
    heart_rate = observation("hr1", "8867-4", 80, "/min")
    result = glucose_readings(read_observation_resources([heart_rate, CGM_MASS], as_of=AS_OF))
    assert len(result.readings) == 1
    (rejection,) = result.report.rejections
    assert (rejection.resource_id, rejection.field) == ("hr1", "Observation.code")
    assert "8867-4" in (rejection.value or "")


def test_a_bound_a_withdrawn_result_and_a_time_without_zone_are_rejected() -> None:
    low = observation("lo", "2345-7", 40, "mg/dL")
    low["valueQuantity"]["comparator"] = "<"
    withdrawn = observation("ee", "2345-7", 90, "mg/dL", status="entered-in-error")
    naive = observation("nz", "2345-7", 90, "mg/dL", "2024-05-02T10:15:00")
    result = glucose_readings(read_observation_resources([low, withdrawn, naive], as_of=AS_OF))
    assert result.readings == []
    fields = {r.resource_id: r.field for r in result.report.rejections}
    assert fields["lo"] == "Observation.valueQuantity.comparator"
    assert fields["ee"] == "Observation.status"
    assert (fields["nz"] or "").startswith("Observation.effective")


def test_a_given_source_overrides_the_codes() -> None:
    report = read_observation_resources([observation("b1", "2339-0", 90, "mg/dL")], as_of=AS_OF)
    (reading,) = glucose_readings(report, sources={"b1": "venous"}).readings
    assert reading.source == "venous"


def test_cgm_summary_codes_are_recognised() -> None:
    assert is_cgm_summary(Coding(system=SUMMARY_CODES, code="times-in-ranges"))
    assert is_cgm_summary(Coding(system=LOINC, code="97507-8"))
    assert not is_cgm_summary(Coding(system=LOINC, code="99504-3"))


def test_a_summary_panel_and_its_components_are_one_skipped_summary() -> None:
    published = "http://hl7.org/fhir/uv/cgm/CodeSystem/cgm-summary-codes-temporary"
    times_in_ranges = {
        "resourceType": "Observation",
        "id": "cgmSummaryTimesInRangesExample",
        "status": "final",
        "code": {"coding": [{"system": published, "code": "times-in-ranges"}]},
        "subject": {"reference": "Patient/patientExample"},
        "effectivePeriod": {"start": "2024-05-01", "end": "2024-05-31"},
        "component": [
            {
                "code": {"coding": [{"system": published, "code": code}]},
                "valueQuantity": {"value": value, "unit": "%", "system": UCUM, "code": "%"},
            }
            for code, value in (("time-in-low", 8), ("time-in-target", 65))
        ],
    }
    report = read_observation_resources([times_in_ranges, CGM_MASS], as_of=AS_OF)
    result = glucose_readings(report)
    assert len(result.readings) == 1 and result.report.rejections == []
    assert result.report.notes == [
        "1 CGM summary Observation(s) skipped: summaries are computed from the readings"
    ]
