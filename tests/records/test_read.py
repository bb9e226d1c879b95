"""medlm.records.read: every FHIR shape (Bundle, one resource, NDJSON, CDS Hooks) is one way in."""

from __future__ import annotations

import json
from pathlib import Path

from medlm.records.read import read_cds_request, read_document, read_path

PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1961-04-02"}
GLUCOSE = {
    "resourceType": "Observation", "id": "g1", "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]},
    "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2024-01-05",
    "valueQuantity": {"value": 104, "system": "http://unitsofmeasure.org", "code": "mg/dL"},
}  # fmt: skip
ORDER = {
    "resourceType": "MedicationRequest", "id": "draft-1", "status": "draft", "intent": "proposal",
    "subject": {"reference": "Patient/p1"},
    "medicationCodeableConcept": {"coding": [{
        "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "32968",
        "display": "clopidogrel"}]},
}  # fmt: skip


def _bundle(*resources: dict, kind: str = "collection") -> dict:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def test_single_resource_makes_a_minimal_patient_from_its_subject() -> None:
    report = read_document(GLUCOSE)
    assert report.rejections == []
    (record,) = report.records
    assert (record.patient.id, record.patient.birth_date) == ("p1", None)
    assert record.observations[0].id == "g1"
    assert any("minimal Patient record" in note for note in report.notes)


def test_ndjson_gives_the_same_records_as_a_bundle_of_the_same_resources(tmp_path: Path) -> None:
    (tmp_path / "Patient.ndjson").write_text(json.dumps(PATIENT) + "\n", encoding="utf-8")
    (tmp_path / "Observation.ndjson").write_text(
        "\n" + json.dumps(GLUCOSE) + "\n", encoding="utf-8"
    )
    from_ndjson = read_path(tmp_path)
    assert from_ndjson.rejections == []
    assert from_ndjson.records == read_document(_bundle(PATIENT, GLUCOSE)).records


def test_ndjson_rejections_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "Observation.ndjson"
    orphan = {**GLUCOSE, "id": "g2", "subject": {"reference": "Patient/nobody"}}
    lines = [json.dumps(PATIENT), "{broken", json.dumps(orphan)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = read_path(path)
    assert [(r.position, r.reason.split(":")[0]) for r in report.rejections] == [
        (2, "Observation.ndjson"),
        (3, "Observation.ndjson"),
    ]
    assert report.rejections[1].field == "Observation.subject"


def test_cds_request_reads_prefetch_and_keeps_draft_orders_as_drafts() -> None:
    request = {
        "hook": "order-sign",
        "context": {"patientId": "p1", "draftOrders": _bundle(ORDER)},
        "prefetch": {"patient": PATIENT, "labs": _bundle(GLUCOSE, kind="searchset"),
                     "allergies": None},
    }  # fmt: skip
    report = read_cds_request(request)
    assert report.rejections == []
    (record,) = report.records
    assert record.patient.birth_date is not None
    assert [m.status.value for m in record.medication_requests] == ["draft"]
    assert [o.id for o in record.observations] == ["g1"]


def test_cds_patient_id_names_the_patient_when_no_patient_is_prefetched() -> None:
    report = read_cds_request({"hook": "patient-view", "context": {"patientId": "p7"}})
    assert [r.patient.id for r in report.records] == ["p7"]


def test_malformed_prefetch_and_draft_orders_are_rejections_naming_their_path() -> None:
    request = {
        "hook": "order-sign",
        "context": {"patientId": "p1", "draftOrders": {"resourceType": "Bundle", "entry": "x"}},
        "prefetch": {"observations": "garbage",
                     "conditions": {"resourceType": "Bundle", "entry": {"resource": {}}}},
    }  # fmt: skip
    report = read_cds_request(request)
    assert sorted(r.field or "" for r in report.rejections) == [
        "context.draftOrders.entry",
        "prefetch.conditions.entry",
        "prefetch.observations",
    ]
    assert [r.patient.id for r in report.records] == ["p1"]
