"""The official HL7 FHIR R4 examples, which nobody here shaped, read without a crash.

Every example is read on its own (a single resource) or as a Bundle; the only exception allowed
is InputError (a Bundle that is empty or not valid as a Bundle). Every example not accepted is a
rejection with a FHIR field path.
"""

from __future__ import annotations

import pytest

from medlm.errors import InputError
from medlm.records.fhir import read_bundle, read_resource

READ_TYPES = [
    "Patient",
    "Observation",
    "Condition",
    "MedicationRequest",
    "MedicationStatement",
    "AllergyIntolerance",
]
CLINICAL = {*READ_TYPES, "Medication"}


@pytest.mark.slow
@pytest.mark.parametrize("kind", READ_TYPES)
def test_every_example_of_a_read_type_is_accepted_or_rejected_with_a_path(
    hl7_examples, kind: str
) -> None:
    examples = hl7_examples.of_type(kind)
    assert examples, f"no {kind} examples in the package"
    for name, resource in examples.items():
        report = read_resource(resource, source=name)
        assert all(r.field for r in report.rejections), (name, report.rejections)
        if not report.rejections:
            assert report.counts[kind].accepted == 1, name


@pytest.mark.slow
def test_at_least_38_of_the_40_medication_request_examples_are_accepted(hl7_examples) -> None:
    examples = hl7_examples.of_type("MedicationRequest")
    reports = {name: read_resource(res) for name, res in examples.items()}
    accepted = [name for name, r in reports.items() if not r.rejections]
    assert len(examples) == 40
    assert len(accepted) >= 38
    # medrx0310 names its product only in a contained Medication ('#med0309', Tylenol PM)
    (record,) = reports["MedicationRequest-medrx0310.json"].records
    (med,) = record.medication_requests
    assert med.code is not None and (med.code.code, med.code.display) == (
        "50580-506-02",
        "Tylenol PM",
    )


@pytest.mark.slow
def test_clinical_bundle_examples_read_without_a_crash(hl7_examples) -> None:
    bundles = hl7_examples.of_type("Bundle")
    read = 0
    for name, bundle in bundles.items():
        kinds = {(e.get("resource") or {}).get("resourceType") for e in bundle.get("entry") or []}
        if not kinds & CLINICAL:
            continue
        try:
            report = read_bundle(bundle)
        except InputError:
            continue
        read += 1
        assert all(r.field for r in report.rejections), (name, report.rejections)
    assert read >= 15
