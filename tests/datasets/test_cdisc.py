"""CDISC pilot vital signs: 254 subjects, LOINC-coded dated vitals, NOT DONE rows skipped."""

from __future__ import annotations

from medlm.datasets import Dataset

VITAL_UNITS = {
    "8480-6": "mm[Hg]",
    "8462-4": "mm[Hg]",
    "8867-4": "/min",
    "8310-5": "Cel",
    "29463-7": "kg",
    "8302-2": "cm",
}


def test_cdisc_vitals_has_29643_rows_from_254_subjects(cdisc_vitals: Dataset) -> None:
    assert cdisc_vitals.provenance.rows == 29643
    assert cdisc_vitals.provenance.counts["subjects"] == 254
    assert cdisc_vitals.target is None


def test_cdisc_records_hold_every_measured_vital_and_skip_not_done(cdisc_vitals: Dataset) -> None:
    records = cdisc_vitals.to_records()
    assert len(records) == 254
    n_obs = sum(len(r.observations) for r in records)
    assert n_obs == 29643 - cdisc_vitals.provenance.counts["not_done"]


def test_cdisc_observations_use_loinc_codes_ucum_units_and_dates(cdisc_vitals: Dataset) -> None:
    record = cdisc_vitals.to_records(limit=200)[0]
    assert record.patient.id == "cdisc-01-701-1015"
    assert record.patient.age == 63
    for obs in record.observations:
        assert VITAL_UNITS[obs.code.code] == obs.unit
        assert obs.effective is not None
