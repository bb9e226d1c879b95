"""Saving ingested records and reading patients back, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from pydantic import BaseModel

from medlm.errors import StorageError
from medlm.records import (
    CodeSystem,
    Coding,
    Condition,
    MedicationStatement,
    Observation,
    Patient,
    PatientRecord,
    Sex,
)
from medlm.records.genomics import GenomicSource, GenomicVariant
from medlm.storage.repository import (
    RESOURCE_KINDS,
    ingest_runs,
    load_patient,
    patient_ids,
    save_records,
    save_report,
)
from medlm.storage.tables import IngestRun

GLUCOSE = Coding(system=CodeSystem.LOINC, code="2345-7", display="Glucose")


class _Rejection(BaseModel):
    position: int
    reason: str


def _record(pid: str, glucose: float = 148.0) -> PatientRecord:
    return PatientRecord(
        patient=Patient(id=pid, age=50, sex=Sex.FEMALE),
        observations=[
            Observation(
                id=f"{pid}-g",
                patient_id=pid,
                code=GLUCOSE,
                value=glucose,
                unit="mg/dL",
                effective=datetime(2024, 1, 2, 8, 30),
            )
        ],
        conditions=[
            Condition(
                patient_id=pid,
                code=Coding(system=CodeSystem.ICD10CM, code="E11.9"),
                onset=date(2020, 5, 1),
            )
        ],
        medication_statements=[MedicationStatement(patient_id=pid, name="metformin")],
    )


def test_saved_patient_reads_back_equal(engine: sa.Engine) -> None:
    record = _record("p-1")
    save_records(engine, [record], source="test.json")
    assert load_patient(engine, "p-1") == record


def test_unknown_patient_reads_back_as_none(engine: sa.Engine) -> None:
    assert load_patient(engine, "nobody") is None


def test_ingest_run_keeps_counts_and_rejections(engine: sa.Engine) -> None:
    rejections = [_Rejection(position=3, reason="bad value")]
    run_id = save_records(
        engine, [_record("a"), _record("b")], source="bundle.json", rejections=rejections
    )
    (run,) = ingest_runs(engine)
    assert run.id == run_id
    assert (run.patients_accepted, run.resources_accepted, run.rejection_count) == (2, 6, 1)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("select rejections from ingest_runs")).scalar_one()
    assert str(stored).startswith("enc1:test:")  # rejections can quote values: encrypted
    assert "bad value" not in str(stored)
    with engine.connect() as conn:
        (document,) = conn.execute(sa.select(IngestRun.rejections)).scalar_one()
    assert document == {"position": 3, "reason": "bad value"}


def test_saving_a_patient_again_replaces_the_old_version(engine: sa.Engine) -> None:
    save_records(engine, [_record("p-1", glucose=100.0)], source="first")
    save_records(engine, [_record("p-1", glucose=200.0)], source="second")
    stored = load_patient(engine, "p-1")
    assert stored is not None
    assert [o.value for o in stored.observations] == [200.0]
    assert patient_ids(engine) == ["p-1"]
    assert len(ingest_runs(engine)) == 2


def test_duplicate_patient_ids_in_one_ingest_are_refused(engine: sa.Engine) -> None:
    with pytest.raises(StorageError, match="more than once"):
        save_records(engine, [_record("x"), _record("x")], source="dup")
    assert ingest_runs(engine) == []


def test_many_patients_are_saved_in_chunks(engine: sa.Engine) -> None:
    records = [_record(f"p-{i:04d}") for i in range(1200)]
    save_records(engine, records, source="big")
    save_records(engine, records, source="big again")
    assert len(patient_ids(engine)) == 1200


def test_real_pima_and_cdisc_records_round_trip_through_the_database(engine: sa.Engine) -> None:
    from medlm.datasets import load

    records = load("pima", limit=30).to_records() + load("cdisc-vitals", limit=300).to_records()
    save_records(engine, records, source="pima+cdisc")
    for record in (records[0], records[-1]):
        assert load_patient(engine, record.patient.id) == record


def test_ingest_report_of_a_real_bundle_is_stored_with_its_rejections(engine: sa.Engine) -> None:
    from medlm.datasets import load
    from medlm.records.fhir import read_bundle, to_bundle

    bundle = to_bundle(load("heart-failure", limit=20).to_records())
    bundle["entry"][0]["resource"]["gender"] = "x"  # the first Patient is rejected
    report = read_bundle(bundle)
    save_report(engine, report)
    (run,) = ingest_runs(engine)
    assert (run.patients_accepted, run.rejection_count) == (19, 1)
    assert load_patient(engine, "heart-failure-0002") == report.records[0]
    assert load_patient(engine, "heart-failure-0001") is None


def test_tumour_variants_are_stored_encrypted_and_read_back(engine: sa.Engine) -> None:
    variant = GenomicVariant(
        id="v-1",
        patient_id="p-1",
        gene="EGFR",
        dna_change="c.2573T>G",
        protein_change="p.Leu858Arg",
        source=GenomicSource.SOMATIC,
    )
    record = _record("p-1").model_copy(update={"variants": [variant]})
    save_records(engine, [record], source="tumour.json")
    stored = load_patient(engine, "p-1")
    assert stored is not None and stored.variants == [variant]
    assert stored == record
    with engine.connect() as conn:
        raw = conn.execute(
            sa.text("select data from patient_resources where kind = 'variants'")
        ).scalar_one()
    assert str(raw).startswith("enc1:test:") and "EGFR" not in str(raw)


def test_every_list_field_of_a_patient_record_is_a_stored_kind() -> None:
    lists = {name for name in PatientRecord.model_fields if name != "patient"}
    assert set(RESOURCE_KINDS) == lists
