"""to_bundle: valid FHIR R4 collection Bundles with stable ids and Patient references."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import pytest
from fhir.resources.R4B.bundle import Bundle

from medlm.errors import ValidationError
from medlm.records import CodeSystem, Coding, Observation, Patient, PatientRecord
from medlm.records.fhir import read_bundle, to_bundle


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_pima_bundle_validates_with_r4b_and_is_json(pima_records: list[PatientRecord]) -> None:
    bundle = to_bundle(pima_records)
    assert bundle["type"] == "collection"
    Bundle.model_validate(json.loads(json.dumps(bundle)))
    assert len(_resources(bundle, "Patient")) == 768


def test_pima_bundle_ids_are_stable_and_references_point_at_patients(
    pima_records: list[PatientRecord],
) -> None:
    first, second = to_bundle(pima_records[:5]), to_bundle(pima_records[:5])
    assert first == second
    patient_ids = {p["id"] for p in _resources(first, "Patient")}
    assert "pima-0001" in patient_ids
    for obs in _resources(first, "Observation"):
        assert obs["subject"]["reference"].removeprefix("Patient/") in patient_ids
        assert obs["valueQuantity"]["system"] == CodeSystem.UCUM.value


def test_synthetic_record_writes_every_type_and_validates(synthetic_record: PatientRecord) -> None:
    bundle = to_bundle([synthetic_record])
    Bundle.model_validate(bundle)
    kinds = sorted(e["resource"]["resourceType"] for e in bundle["entry"])
    assert kinds == sorted(
        ["Patient", "Observation", "Observation", "Observation", "Observation", "Condition",
         "MedicationStatement", "MedicationRequest", "AllergyIntolerance", "DocumentReference"]
    )  # fmt: skip
    (allergy,) = _resources(bundle, "AllergyIntolerance")
    assert allergy["patient"]["reference"].startswith("Patient/m-")


def test_systolic_and_diastolic_at_one_time_become_one_blood_pressure_panel(
    synthetic_record: PatientRecord,
) -> None:
    bundle = to_bundle([synthetic_record])
    panels = [
        o for o in _resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "85354-9"
    ]
    (panel,) = panels
    assert [c["code"]["coding"][0]["code"] for c in panel["component"]] == ["8480-6", "8462-4"]
    assert panel["component"][0]["valueQuantity"]["value"] == 142.0


def test_pgx_result_is_a_genotype_observation_with_gene_and_phenotype_components(
    synthetic_record: PatientRecord,
) -> None:
    bundle = to_bundle([synthetic_record])
    (pgx,) = [o for o in _resources(bundle, "Observation") if o["id"] == "pgx1"]
    assert pgx["code"]["coding"][0] == {"system": "http://loinc.org", "code": "84413-4"}
    assert pgx["valueCodeableConcept"]["text"] == "*2/*2"
    components = {
        c["code"]["coding"][0]["code"]: c["valueCodeableConcept"]["text"] for c in pgx["component"]
    }
    assert components == {"48018-6": "CYP2C19", "53040-2": "Poor Metabolizer"}


def test_note_is_a_base64_text_attachment(synthetic_record: PatientRecord) -> None:
    (doc,) = _resources(to_bundle([synthetic_record]), "DocumentReference")
    attachment = doc["content"][0]["attachment"]
    assert attachment["contentType"].startswith("text/plain")
    assert "Glucose" not in json.dumps(doc)  # the text is encoded, not inline


def test_synthetic_record_round_trips_exactly(synthetic_record: PatientRecord) -> None:
    report = read_bundle(to_bundle([synthetic_record]))
    assert report.rejections == []
    assert report.records == [synthetic_record]


def test_naive_time_of_day_is_refused_rather_than_given_a_zone() -> None:
    record = PatientRecord(
        patient=Patient(id="p1"),
        observations=[
            Observation(
                id="o1",
                patient_id="p1",
                code=Coding(system=CodeSystem.LOINC, code="8867-4"),
                value=80,
                unit="/min",
                effective=datetime(2024, 1, 1, 10, 15),
            )
        ],
    )
    with pytest.raises(ValidationError, match=r"2024-01-01T10:15:00 has no time zone"):
        to_bundle([record])


def _sorted(record: PatientRecord) -> PatientRecord:
    return record.model_copy(
        update={"observations": sorted(record.observations, key=lambda o: o.id or "")}
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["pima", "actg175", "cdisc-vitals", "uci-heart", "framingham", "heart-failure"]
)
def test_real_dataset_records_round_trip_through_a_valid_bundle(
    name: str, without_concepts: Callable[[PatientRecord], PatientRecord]
) -> None:
    from medlm.datasets import load

    records = load(name, limit=120).to_records()
    bundle = to_bundle(records)
    Bundle.model_validate(bundle)
    report = read_bundle(bundle)
    assert report.rejections == []
    # a blood-pressure pair travels as one panel, so only observation order may change; the
    # concepts are set again by the boundary's normalization, not carried in the bundle
    assert [_sorted(r) for r in report.records] == [_sorted(without_concepts(r)) for r in records]
