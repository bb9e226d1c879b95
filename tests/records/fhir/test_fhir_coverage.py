"""What real EHR bundles send: medication references, unitless doses, value types, panels,
encounters, deceased patients, urn:uuid references everywhere (Synthea's shape)."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from medlm.records.fhir import read_bundle
from medlm.records.patient_record import PatientRecord

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
METOPROLOL_NAME = "metoprolol succinate 25 MG Extended Release Oral Tablet"
METOPROLOL = {"coding": [{"system": RXNORM, "code": "866924", "display": METOPROLOL_NAME}]}


def _entry(resource: dict, uuid: str | None = None) -> dict:
    uuid = uuid or resource["id"]
    return {"fullUrl": f"urn:uuid:{uuid}", "resource": resource}


def _bundle(*entries: dict) -> dict:
    return {"resourceType": "Bundle", "type": "transaction", "entry": list(entries)}


def _obs(oid: str, code: str, **fields: object) -> dict:
    return {"resourceType": "Observation", "id": oid, "status": "final",
            "code": {"coding": [{"system": LOINC, "code": code}]},
            "subject": {"reference": "urn:uuid:p-1"}, **fields}  # fmt: skip


def _q(value: float, code: str, **more: object) -> dict:
    return {"value": value, "unit": code, "system": UCUM, "code": code, **more}


def _request(rid: str, **medication: object) -> dict:
    return {"resourceType": "MedicationRequest", "id": rid, "status": "active", "intent": "order",
            "subject": {"reference": "urn:uuid:p-1"}, "authoredOn": "2023-02-01",
            "dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": 1}}]}],
            **medication}  # fmt: skip


PATIENT = {"resourceType": "Patient", "id": "p-1", "gender": "male", "birthDate": "1948-03-09",
           "deceasedDateTime": "2021-11-02T10:00:00-05:00"}  # fmt: skip
ENCOUNTER = {"resourceType": "Encounter", "id": "e-1", "status": "finished",
             "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
             "subject": {"reference": "urn:uuid:p-1"}}  # fmt: skip


def synthea_shaped_bundle() -> dict:
    """A hand-built bundle in Synthea's shape (urn:uuid references, SNOMED problems, RxNorm
    medicationCodeableConcept with a unitless dose, billing resources, a deceased patient)."""
    claim = {"resourceType": "Claim", "id": "cl-1", "status": "active"}
    eob = {"resourceType": "ExplanationOfBenefit", "id": "eob-1", "status": "active"}
    chf = {"resourceType": "Condition", "id": "c-1", "subject": {"reference": "urn:uuid:p-1"},
           "clinicalStatus": {"coding": [{"code": "active"}]}, "onsetDateTime": "2015-04-01",
           "code": {"coding": [{"system": "http://snomed.info/sct", "code": "88805009",
                                "display": "Chronic congestive heart failure (disorder)"}],
                    "text": "Chronic congestive heart failure (disorder)"}}  # fmt: skip
    bp = _obs("bp-1", "55284-4", effectiveDateTime="2021-10-01T09:00:00-05:00",
              encounter={"reference": "urn:uuid:e-1"},
              component=[{"code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
                          "valueQuantity": _q(128, "mm[Hg]")},
                         {"code": {"coding": [{"system": LOINC, "code": "8462-4"}]},
                          "valueQuantity": _q(79, "mm[Hg]")}])  # fmt: skip
    temp = _obs("t-1", "8331-1", valueQuantity=_q(37.2, "Cel"),
                effectiveDateTime="2021-10-01T09:00:00-05:00")  # fmt: skip
    egfr = _obs("g-1", "33914-3", valueQuantity=_q(60, "mL/min/{1.73_m2}", comparator=">"),
                effectiveDateTime="2021-10-01T09:00:00-05:00")  # fmt: skip
    med = _request("m-1", medicationCodeableConcept=METOPROLOL)
    entries = [PATIENT, ENCOUNTER, chf, bp, temp, egfr, med, claim, eob]
    return _bundle(*(_entry(r) for r in entries))


def test_synthea_shaped_bundle_reads_with_no_rejections_and_skips_billing() -> None:
    report = read_bundle(synthea_shaped_bundle())
    assert report.rejections == []
    assert report.skipped == {"Encounter": 1, "Claim": 1, "ExplanationOfBenefit": 1}
    (record,) = report.records
    assert (record.patient.deceased, record.patient.deceased_on) == (True, date(2021, 11, 2))
    assert record.conditions[0].text == "Chronic congestive heart failure (disorder)"
    (med,) = record.medication_requests
    assert med.dose is not None and (med.dose.value, med.dose.unit) == (1.0, None)
    by_code = {o.code.code: o for o in record.observations}
    assert set(by_code) == {"8480-6", "8462-4", "8331-1", "33914-3"}
    assert by_code["8480-6"].group == "bp-1" and by_code["8480-6"].encounter_class == "IMP"
    assert by_code["33914-3"].comparator == ">"


def _medication_resource(mid: str) -> dict:
    return {"resourceType": "Medication", "id": mid, "code": METOPROLOL}


def _records_with(request: dict, *extra: dict) -> list[PatientRecord]:
    report = read_bundle(_bundle(_entry(PATIENT), _entry(request), *extra))
    assert report.rejections == [], report.rejections
    return report.records


@pytest.mark.parametrize(
    ("reference", "where"),
    [("#med", "contained"), ("urn:uuid:med-9", "bundle"), ("Medication/med-9", "bundle"),
     ("https://ehr.example.org/fhir/Medication/med-9", "bundle")],
)  # fmt: skip
def test_medication_reference_gives_the_same_record_as_a_codeable_concept(
    reference: str, where: str
) -> None:
    expected = _records_with(_request("m-1", medicationCodeableConcept=METOPROLOL))
    request = _request("m-1", medicationReference={"reference": reference})
    extra = []
    if where == "contained":
        request["contained"] = [_medication_resource("med")]
    else:
        extra.append(_entry(_medication_resource("med-9")))
    assert _records_with(request, *extra) == expected


def test_unresolvable_medication_reference_is_a_rejection_naming_field_and_value() -> None:
    request = _request("m-1", medicationReference={"reference": "Medication/nowhere"})
    (rejection,) = read_bundle(_bundle(_entry(PATIENT), _entry(request))).rejections
    assert rejection.field == "MedicationRequest.medicationReference.reference"
    assert rejection.value == "Medication/nowhere"


def test_ingredients_strength_and_form_come_from_the_medication() -> None:
    product = {
        "resourceType": "Medication", "id": "med", "code": {"text": "furosemide 40 mg tablet"},
        "form": {"text": "Oral Tablet"},
        "ingredient": [{"itemCodeableConcept": {"coding": [{"system": RXNORM, "code": "4603",
                                                            "display": "furosemide"}]},
                        "strength": {"numerator": _q(40, "mg"), "denominator": {"value": 1}}}],
    }  # fmt: skip
    request = _request("m-1", medicationReference={"reference": "#med"}, contained=[product])
    (record,) = _records_with(request)
    (med,) = record.medication_requests
    assert [c.code for c in med.ingredients] == ["4603"]
    assert med.strength is not None and (med.strength.value, med.strength.unit) == (40.0, "mg")
    assert (med.form, med.name) == ("Oral Tablet", "furosemide 40 mg tablet")


@pytest.mark.parametrize(
    ("value", "field", "expected"),
    [
        ({"valueInteger": 3}, "value", 3.0),
        ({"valueBoolean": True}, "value_bool", True),
        ({"valueString": "trace"}, "value_text", "trace"),
        ({"valueCodeableConcept": {"text": "Positive"}}, "value_text", "Positive"),
    ],
)
def test_value_types_are_kept_on_the_observation(value: dict, field: str, expected: object) -> None:
    report = read_bundle(_bundle(_entry(PATIENT), _entry(_obs("o-1", "1234-5", **value))))
    (obs,) = report.records[0].observations
    assert getattr(obs, field) == expected


def test_data_absent_observation_is_kept_without_a_value() -> None:
    obs = _obs("o-1", "8867-4", dataAbsentReason={"coding": [{"code": "asked-declined"}]})
    report = read_bundle(_bundle(_entry(PATIENT), _entry(obs)))
    assert report.rejections == []
    assert report.records[0].observations[0].value is None


def test_has_member_panel_adds_no_record_and_groups_its_members() -> None:
    panel = _obs("lipids", "57698-3", hasMember=[{"reference": "urn:uuid:chol"}])
    chol = _obs("chol", "2093-3", valueQuantity=_q(5.2, "mmol/L"))
    report = read_bundle(_bundle(_entry(PATIENT), _entry(panel), _entry(chol)))
    (obs,) = report.records[0].observations
    assert (obs.id, obs.group) == ("chol", "lipids")


def test_refuted_condition_is_skipped_with_a_note_not_rejected() -> None:
    refuted = {"resourceType": "Condition", "id": "c-9", "subject": {"reference": "urn:uuid:p-1"},
               "verificationStatus": {"coding": [{"code": "refuted"}]},
               "code": {"coding": [{"system": SNOMED, "code": "38341003"}]}}  # fmt: skip
    report = read_bundle(_bundle(_entry(PATIENT), _entry(refuted)))
    assert report.rejections == [] and report.records[0].conditions == []
    assert report.skipped == {"Condition": 1}
    assert any("refuted" in note for note in report.notes)


def test_the_same_patient_among_50_irrelevant_resources_gives_equal_records() -> None:
    plain = read_bundle(synthea_shaped_bundle()).records
    crowded = copy.deepcopy(synthea_shaped_bundle())
    for i in range(50):
        kind = ["Procedure", "Immunization", "Organization", "Provenance", "CarePlan"][i % 5]
        crowded["entry"].insert(i % 7, _entry({"resourceType": kind, "id": f"x-{i}"}))
    report = read_bundle(crowded)
    assert report.records == plain
    assert sum(report.skipped.values()) == 50 + 3


@pytest.mark.slow
@pytest.mark.parametrize(
    "profile", ["healthy", "type2_diabetes", "hypertension", "ckd_stage3", "anaemia"]
)
def test_carebundle_bundles_read_end_to_end_with_context_types_skipped(profile: str) -> None:
    import carebundle

    bundle = json.loads(carebundle.to_json(carebundle.generate_bundle(profile=profile, seed=7)))
    report = read_bundle(bundle)
    assert report.rejections == []
    assert report.patients == 1
    assert {"Practitioner", "Encounter", "DiagnosticReport"} <= set(report.skipped)
    assert report.records[0].observations
