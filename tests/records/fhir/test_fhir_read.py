"""read_bundle: real Pima bundles read back whole; every bad input is reported, not dropped."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from medlm.errors import InputError
from medlm.records import PatientRecord
from medlm.records.fhir import read_bundle, to_bundle

Strip = Callable[[PatientRecord], PatientRecord]


@pytest.fixture(scope="module")
def pima_bundle(pima_records: list[PatientRecord]) -> dict:
    return to_bundle(pima_records)


def _position(bundle: dict, resource_id: str) -> int:
    return next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["id"] == resource_id)


def test_pima_bundle_reads_back_768_patients_with_no_rejections(
    pima_bundle: dict, pima_records: list[PatientRecord], without_concepts: Strip
) -> None:
    report = read_bundle(json.dumps(pima_bundle))
    assert report.patients == 768
    assert report.rejection_count == 0
    assert report.records == [without_concepts(r) for r in pima_records]
    assert report.counts["Patient"].accepted == 768


def test_string_value_and_gender_x_are_exactly_the_two_rejections(pima_bundle: dict) -> None:
    bundle = copy.deepcopy(pima_bundle)
    obs_at = _position(bundle, "pima-0010-ogtt-2h-glucose")
    bundle["entry"][obs_at]["resource"]["valueQuantity"]["value"] = "125"
    patient_at = _position(bundle, "pima-0020")
    bundle["entry"][patient_at]["resource"]["gender"] = "x"

    report = read_bundle(bundle)

    assert [(r.position, r.resource_type, r.resource_id, r.field) for r in report.rejections] == [
        (obs_at, "Observation", "pima-0010-ogtt-2h-glucose", "Observation.valueQuantity.value"),
        (patient_at, "Patient", "pima-0020", "Patient.gender"),
    ]
    assert "'x'" in report.rejections[1].reason
    assert report.patients == 767


def test_resources_of_a_rejected_patient_are_held_back_not_rejected(pima_bundle: dict) -> None:
    bundle = copy.deepcopy(pima_bundle)
    bundle["entry"][_position(bundle, "pima-0020")]["resource"]["gender"] = "x"
    report = read_bundle(bundle)
    (rejection,) = report.rejections
    held = {h.resource_id for h in rejection.held_back}
    assert "pima-0020-ogtt-2h-glucose" in held
    assert all(h.startswith("pima-0020-") for h in held)
    assert report.counts["Observation"].held_back == len(held)
    assert report.counts["Observation"].rejected == 0


def test_a_bad_resource_does_not_stop_the_rest_of_the_bundle(pima_bundle: dict) -> None:
    bundle = copy.deepcopy(pima_bundle)
    bundle["entry"][1]["resource"]["status"] = "done"
    report = read_bundle(bundle)
    assert report.rejections[0].field == "Observation.status"
    assert report.patients == 768
    observations = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    assert report.counts["Observation"].accepted == len(observations) - 1


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({"resourceType": "Patient", "id": "p1"}, "resourceType is 'Patient'"),
        ({"resourceType": "Bundle", "type": "collection"}, "empty FHIR Bundle"),
        ({"resourceType": "Bundle", "type": "collection", "entry": []}, "empty FHIR Bundle"),
        (
            {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}]},
            r"not a valid FHIR Bundle: Bundle\.type",
        ),
    ],
)
def test_unreadable_input_raises_its_own_message(source: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_bundle(source)  # type: ignore[arg-type]


def test_missing_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.json"):
        read_bundle(tmp_path / "nope.json")


def test_bundle_file_path_is_read(tmp_path: Path, pima_records: list[PatientRecord]) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps(to_bundle(pima_records[:3])), encoding="utf-8")
    report = read_bundle(path)
    assert report.patients == 3
    assert report.source == str(path)


def _bundle(*resources: dict) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female"}


def test_resource_types_no_application_reads_are_counted_as_skipped_not_rejected() -> None:
    encounter = {"resourceType": "Encounter", "id": "e1", "status": "finished",
                 "class": {"code": "AMB"}}  # fmt: skip
    claim = {"resourceType": "Organization", "id": "org1", "name": "Clinic"}
    report = read_bundle(_bundle(PATIENT, encounter, claim, dict(claim, id="org2")))
    assert report.rejections == []
    assert report.skipped == {"Encounter": 1, "Organization": 2}
    assert report.skipped_line() == "skipped: 2 Organization, 1 Encounter"
    assert report.patients == 1


def test_reference_to_a_patient_not_in_the_bundle_is_rejected() -> None:
    obs = {
        "resourceType": "Observation", "id": "o1", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
        "subject": {"reference": "Patient/elsewhere"},
        "valueQuantity": {"value": 5.5, "system": "http://unitsofmeasure.org", "code": "mmol/L"},
    }  # fmt: skip
    report = read_bundle(_bundle(PATIENT, obs))
    (rejection,) = report.rejections
    assert rejection.field == "Observation.subject"
    assert "'elsewhere'" in rejection.reason


def test_unknown_field_is_reported_with_its_path() -> None:
    report = read_bundle(_bundle({**PATIENT, "colour": "blue"}))
    assert report.rejections[0].field == "Patient.colour"


def test_quantity_without_unit_is_rejected_at_the_value() -> None:
    obs = {
        "resourceType": "Observation", "id": "o1", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
        "subject": {"reference": "Patient/p1"}, "valueQuantity": {"value": 5.5},
    }  # fmt: skip
    (rejection,) = read_bundle(_bundle(PATIENT, obs)).rejections
    assert rejection.field == "Observation.valueQuantity"
    assert "no unit" in rejection.reason


def test_partial_birth_date_is_read_as_the_first_day_and_said_so() -> None:
    report = read_bundle(_bundle({**PATIENT, "birthDate": "1970-06"}))
    assert report.rejections == []
    assert report.records[0].patient.birth_date == date(1970, 6, 1)
    assert any("Patient.birthDate '1970-06' is a partial date" in n for n in report.notes)


def test_full_url_references_resolve_to_the_patient() -> None:
    bundle = _bundle(
        PATIENT,
        {
            "resourceType": "Condition", "id": "c1",
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006"}]},
            "subject": {"reference": "urn:uuid:1111"},
        },
    )  # fmt: skip
    bundle["entry"][0]["fullUrl"] = "urn:uuid:1111"
    report = read_bundle(bundle)
    assert report.rejections == []
    assert report.records[0].conditions[0].code.code == "44054006"


def test_duplicate_patient_id_is_rejected() -> None:
    report = read_bundle(_bundle(PATIENT, PATIENT))
    assert report.patients == 1
    assert "duplicate" in report.rejections[0].reason


def _obs(**fields: object) -> dict:
    return {
        "resourceType": "Observation", "id": "o1", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
        "subject": {"reference": "Patient/p1"}, **fields,
    }  # fmt: skip


def test_comparator_is_kept_on_the_observation() -> None:
    quantity = {"value": 60, "comparator": ">", "system": "http://unitsofmeasure.org",
                "code": "mL/min/{1.73_m2}"}  # fmt: skip
    report = read_bundle(_bundle(PATIENT, _obs(valueQuantity=quantity)))
    (obs,) = report.records[0].observations
    assert (obs.comparator, obs.value, obs.unit) == (">", 60.0, "mL/min/{1.73_m2}")


def test_components_of_any_observation_become_observations_of_their_own() -> None:
    ucum = {"system": "http://unitsofmeasure.org", "code": "mm[Hg]"}
    panel = _obs(
        code={"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
        component=[
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
             "valueQuantity": {"value": 120, **ucum}},
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
             "valueQuantity": {"value": 80, **ucum}},
        ],
    )  # fmt: skip
    (record,) = read_bundle(_bundle(PATIENT, panel)).records
    assert [(o.id, o.code.code, o.value) for o in record.observations] == [
        ("o1-0", "8480-6", 120.0),
        ("o1-1", "8462-4", 80.0),
    ]


def test_value_types_medlm_cannot_hold_are_rejected_by_name() -> None:
    ratio = {"numerator": {"value": 1}, "denominator": {"value": 64}}
    (rejection,) = read_bundle(_bundle(PATIENT, _obs(valueRatio=ratio))).rejections
    assert rejection.field == "Observation.valueRatio"


def test_second_dosage_line_is_named_in_a_note_and_the_first_is_read() -> None:
    statement = {
        "resourceType": "MedicationStatement", "id": "m1", "status": "active",
        "medicationCodeableConcept": {"text": "prednisolone"},
        "subject": {"reference": "Patient/p1"},
        "dosage": [
            {"text": "40 mg daily for 5 days",
             "doseAndRate": [{"doseQuantity": {"value": 40, "unit": "mg"}}]},
            {"text": "then 20 mg daily for 5 days"},
        ],
    }  # fmt: skip
    report = read_bundle(_bundle(PATIENT, statement))
    assert report.rejections == []
    (med,) = report.records[0].medication_statements
    assert med.dose is not None and med.dose.value == 40.0
    (note,) = report.notes
    assert "MedicationStatement.dosage" in note and "then 20 mg daily" in note


def test_external_style_bundle_with_urn_references_and_extra_codings_reads() -> None:
    bundle = {
        "resourceType": "Bundle", "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:aa", "resource": {
                "resourceType": "Patient", "id": "aa", "gender": "male",
                "birthDate": "1950-02-03", "name": [{"family": "Synthetic"}]}},
            {"fullUrl": "urn:uuid:bb", "resource": _obs(
                id="bb", subject={"reference": "urn:uuid:aa"},
                code={"coding": [{"system": "urn:local", "code": "GLU"},
                                 {"system": "http://loinc.org", "code": "2345-7"}]},
                effectiveDateTime="2023-05-01T08:00:00+02:00",
                valueQuantity={"value": 101, "unit": "mg/dL",
                               "system": "http://unitsofmeasure.org", "code": "mg/dL"})},
        ],
    }  # fmt: skip
    report = read_bundle(bundle)
    assert report.rejections == []
    (record,) = report.records
    (obs,) = record.observations
    assert (record.patient.id, obs.patient_id, obs.code.code, obs.unit) == (
        "aa",
        "aa",
        "2345-7",
        "mg/dL",
    )
    assert obs.effective is not None and obs.effective.utcoffset() is not None


def test_urn_references_to_a_rejected_patient_are_held_back() -> None:
    bundle = _bundle({**PATIENT, "gender": "x"}, _obs(subject={"reference": "urn:uuid:p"}))
    bundle["entry"][0]["fullUrl"] = "urn:uuid:p"
    (rejection,) = read_bundle(bundle).rejections
    assert [h.resource_id for h in rejection.held_back] == ["o1"]
